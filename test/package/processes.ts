/**
 * Child processes for the package tests: one-shot commands with their output, and long-running
 * CLI servers that announce their URL on stdout.
 */
import { spawn, type ChildProcess } from "node:child_process";

/** What a finished command printed and how it ended. */
export interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * The environment for nested npm/node processes: ours without the `npm_*` variables that `npm test`
 * sets (`npm_config_local_prefix`, `npm_package_json`, …), so a nested npm works on its own project.
 */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env))
    if (!name.toLowerCase().startsWith("npm_")) env[name] = value;
  return { ...env, ...extra };
}

/** Runs `command` to completion (killed after `timeoutMs`) and resolves to its output. */
export function runCommand(
  command: string,
  args: string[],
  options: { cwd: string; timeoutMs?: number },
): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: cleanEnv(),
      // npm is npm.cmd on Windows, which only runs through a shell.
      shell: process.platform === "win32",
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (data: Buffer) => (stdout += data.toString()));
    child.stderr.on("data", (data: Buffer) => (stderr += data.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 60_000);
    child.once("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** A server process started by {@link startServer}. */
export interface ServerProcess {
  child: ChildProcess;
  /** The URL captured from the announcement line. */
  url: string;
  /** Everything the process printed so far (for failure messages). */
  output(): string;
  /** Sends SIGTERM and resolves to the exit code once the process is gone. */
  stop(): Promise<number | null>;
}

/**
 * Starts `node <script> ...args` and resolves once stdout matches `announcement` (its first group
 * is the URL); rejects if the process exits first or stays silent for `timeoutMs`.
 */
export function startServer(
  script: string,
  args: string[],
  options: { cwd: string; announcement: RegExp; timeoutMs?: number },
): Promise<ServerProcess> {
  const child = spawn(process.execPath, [script, ...args], { cwd: options.cwd, env: cleanEnv() });
  let printed = "";
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const stop = async (): Promise<number | null> => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    return exited;
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`no announcement within ${options.timeoutMs ?? 20_000} ms:\n${printed}`));
    }, options.timeoutMs ?? 20_000);
    child.stderr!.on("data", (data: Buffer) => (printed += data.toString()));
    child.stdout!.on("data", (data: Buffer) => {
      printed += data.toString();
      const url = options.announcement.exec(printed)?.[1];
      if (url === undefined) return;
      clearTimeout(timer);
      resolve({ child, url, output: () => printed, stop });
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before announcing itself:\n${printed}`));
    });
  });
}
