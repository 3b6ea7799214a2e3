import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { SimulatorOptions } from "../src/sim/index.js";

/** A simulator in a child process. */
export interface SimProcess {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Starts `bench/sim-process.ts` under tsx and waits for its URL. */
export function spawnSimulator(options: SimulatorOptions = {}): Promise<SimProcess> {
  const script = fileURLToPath(new URL("./sim-process.ts", import.meta.url));
  const child = spawn(process.execPath, ["--import", "tsx", script, JSON.stringify(options)], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  return new Promise((resolve, reject) => {
    let output = "";
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`simulator exited early with ${code}`)));
    child.stdout?.on("data", (data: Buffer) => {
      output += data.toString();
      const match = /READY (\S+)/.exec(output);
      if (match?.[1]) {
        child.removeAllListeners("exit");
        resolve({
          url: match[1],
          child,
          stop: () =>
            new Promise((done) => {
              child.once("exit", () => done());
              child.kill("SIGTERM");
            }),
        });
      }
    });
  });
}
