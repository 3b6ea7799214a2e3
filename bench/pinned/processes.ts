/**
 * Server processes of `npm run bench:gateway`, each pinned to a core with `taskset` (when present),
 * started from a command line and ready once its output matches a pattern. CPU time and RSS are read
 * from /proc for the process and every descendant (nginx's workers), so each server's own cost is
 * measured the same way whatever it is written in.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { connect } from "node:net";
import { procCpuUs, procRss, shell } from "../bench-stats.js";

/** A running server process. */
export interface Pinned {
  name: string;
  /** Base URL (up to `/v1`). */
  url: string;
  child: ChildProcess;
  /** User + system CPU time of the process tree so far, µs. */
  cpuUs(): number;
  /** RSS of the process tree, bytes. */
  rss(): number;
  stop(): Promise<void>;
}

const hasTaskset = shell("command -v taskset") !== null;
const everyChild = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of everyChild) child.kill("SIGKILL");
});

/** Kills every server still running. */
export function killServers(): void {
  for (const child of everyChild) child.kill("SIGKILL");
}

/** `command args` prefixed with `taskset -c <core>` when taskset exists and `core` is given. */
export function pinnedCommand(core: number | null, command: string, args: string[]): [string, string[]] {
  return core !== null && hasTaskset ? ["taskset", ["-c", String(core), command, ...args]] : [command, args];
}

/** Whether servers and load are really pinned. */
export const pinning = hasTaskset;

function descendants(pid: number): number[] {
  const out = [pid];
  for (let index = 0; index < out.length; index += 1) {
    const parent = out[index]!;
    const tasks = `/proc/${parent}/task`;
    if (!existsSync(tasks)) continue;
    try {
      const children = readFileSync(`${tasks}/${parent}/children`, "utf8").trim();
      if (children) out.push(...children.split(/\s+/).map(Number));
    } catch {
      // the process went away
    }
  }
  return out;
}

/** Resolves true once a TCP connection to `url`'s port succeeds (polled every 50 ms, up to `ms`). */
async function portOpen(url: string, ms: number): Promise<boolean> {
  const { hostname, port } = new URL(url);
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(Number(port), hostname, () => {
        socket.destroy();
        resolve(true);
      });
      socket.once("error", () => resolve(false));
    });
    if (open) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return false;
}

/**
 * Starts `command args` pinned to `core`; resolves once stdout or stderr matches `ready` (its first
 * group, or `url`, is the base URL) — or, with `ready: null`, once `url`'s port accepts connections.
 */
export function startPinned(options: {
  name: string;
  core: number | null;
  command: string;
  args: string[];
  ready: RegExp | null;
  url?: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}): Promise<Pinned> {
  const [command, args] = pinnedCommand(options.core, options.command, options.args);
  const child = spawn(command, args, {
    env: options.env ?? process.env,
    cwd: options.cwd,
    stdio: ["ignore", "pipe", "pipe"],
  });
  everyChild.add(child);
  const exited = new Promise<void>((resolve) =>
    child.once("exit", () => {
      everyChild.delete(child);
      resolve();
    }),
  );
  return new Promise((resolve, reject) => {
    let output = "";
    const timer = setTimeout(
      () => reject(new Error(`${options.name} did not start within 30 s:\n${output.slice(-2000)}`)),
      30_000,
    );
    const early = (code: number | null): void =>
      reject(new Error(`${options.name} exited early with ${code}:\n${output.slice(-2000)}`));
    child.once("exit", early);
    const onData = (data: Buffer): void => {
      if (output.length < 100_000) output += data.toString();
      const match = options.ready?.exec(output);
      if (match) up(match[1]);
    };
    const up = (matched: string | undefined): void => {
      clearTimeout(timer);
      child.off("exit", early);
      child.stdout?.off("data", onData);
      child.stderr?.off("data", onData);
      // Keep draining the pipes so a chatty server never blocks on a full pipe.
      child.stdout?.resume();
      child.stderr?.resume();
      const pid = child.pid ?? 0;
      resolve({
        name: options.name,
        url: options.url ?? matched ?? "",
        child,
        cpuUs: () => descendants(pid).reduce((sum, id) => sum + (procCpuUs(id) ?? 0), 0),
        rss: () => descendants(pid).reduce((sum, id) => sum + (procRss(id) ?? 0), 0),
        stop: async () => {
          if (child.exitCode !== null || child.signalCode !== null) return;
          child.kill("SIGTERM");
          const kill = setTimeout(() => child.kill("SIGKILL"), 3000);
          await exited;
          clearTimeout(kill);
        },
      });
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    if (options.ready === null && options.url)
      void portOpen(options.url, 30_000).then((open) => {
        if (open) up(undefined);
      });
  });
}
