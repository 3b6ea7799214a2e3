/**
 * Starts a benchmark server (`gateway-process.ts`, `bare-proxy-process.ts`) in a child process with an
 * IPC channel, and reads its CPU time and RSS through `probe()`.
 */
import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { ProbeReply } from "./child-ipc.js";

/** A running benchmark server child. */
export interface BenchChild {
  url: string;
  child: ChildProcess;
  /** The child's own CPU time (µs, user + system) and RSS (bytes), read inside it. */
  probe(gc?: boolean): Promise<{ cpuUs: number; rss: number; heapUsed: number }>;
  /** Asks the child to close and exit; kills it if it has not exited after 3 s. */
  stop(): Promise<void>;
}

/** Every child started by this process, killed on exit whatever happens. */
const alive = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of alive) child.kill("SIGKILL");
});

/** Registers a child (e.g. a simulator) so it is killed when the bench exits. */
export function track(child: ChildProcess): void {
  if (child.exitCode !== null || child.signalCode !== null) return;
  alive.add(child);
  child.once("exit", () => alive.delete(child));
}

/** Kills every tracked child that is still running. */
export function killAll(): void {
  for (const child of alive) child.kill("SIGKILL");
}

/** Forks `bench/<name>` under tsx with `arg` as JSON in argv[2]; resolves once it reports ready. */
export function spawnBenchChild(name: string, arg: unknown, execArgv: string[] = []): Promise<BenchChild> {
  const script = fileURLToPath(new URL(`./${name}`, import.meta.url));
  const child = fork(script, [JSON.stringify(arg)], {
    execArgv: ["--import", "tsx", "--expose-gc", ...execArgv],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  track(child);
  let nextId = 0;
  const waiting = new Map<number, (reply: ProbeReply) => void>();
  child.on("message", (message: ProbeReply) => {
    if (message.type !== "probe") return;
    waiting.get(message.id)?.(message);
    waiting.delete(message.id);
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start within 20 s`)), 20_000);
    const early = (code: number | null) => reject(new Error(`${name} exited early with ${code}`));
    child.once("error", reject);
    child.once("exit", early);
    child.on("message", (message: { type: string; url?: string }) => {
      if (message.type !== "ready" || !message.url) return;
      clearTimeout(timer);
      child.off("exit", early);
      resolve({
        url: message.url,
        child,
        probe: (gc = false) =>
          new Promise((done, fail) => {
            const id = (nextId += 1);
            const timeout = setTimeout(() => fail(new Error(`${name} did not answer a probe`)), 5000);
            waiting.set(id, (reply) => {
              clearTimeout(timeout);
              done({ cpuUs: reply.user + reply.system, rss: reply.rss, heapUsed: reply.heapUsed });
            });
            child.send({ type: "probe", id, gc });
          }),
        stop: async () => {
          if (child.exitCode !== null || child.signalCode !== null) return;
          if (child.connected) child.send({ type: "stop" });
          const kill = setTimeout(() => child.kill("SIGKILL"), 3000);
          await exited;
          clearTimeout(kill);
        },
      });
    });
  });
}
