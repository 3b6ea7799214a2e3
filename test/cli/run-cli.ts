import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** The `llmux` command of this checkout, from its sources (the built one is tested from the packed tarball). */
const entry = fileURLToPath(new URL("../../src/cli/bin.ts", import.meta.url));
/** tsx's loader by absolute URL (a test's working directory has no node_modules). */
const tsx = import.meta.resolve("tsx");

/** The node arguments that run the CLI from source, before the CLI's own arguments. */
export const cliArgs: readonly string[] = ["--import", tsx, entry];

/**
 * The environment of a spawned CLI: this process's, without the variables the CLI reads (so the
 * machine's own PORT, API_KEY, NODE_ENV… cannot change what a test sees), plus `env`.
 */
export function cliEnv(env: Record<string, string> = {}): Record<string, string | undefined> {
  const base: Record<string, string | undefined> = { ...process.env };
  for (const name of [
    "PORT",
    "API_KEY",
    "LOG_LEVEL",
    "RATE_LIMIT_MAX",
    "NODE_ENV",
    "LLMUX_CONFIG",
    "LLMUX_API_KEYS",
    "REDIS_URL",
  ])
    delete base[name];
  return { ...base, ...env };
}

/** The outcome of one CLI run. */
export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `llmux ...args` in `cwd` to its end. */
export function runCli(args: string[], cwd: string, env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...cliArgs, ...args], { env: cliEnv(env), cwd });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("exit", (code) => resolve({ code, stdout, stderr }));
  });
}

/** A long-running CLI process and what it printed so far. */
export interface CliProcess {
  child: ChildProcess;
  output: () => string;
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
}

/** Starts `llmux ...args` and resolves once stdout matches `ready` (rejects if it exits first). */
export function startCli(
  args: string[],
  cwd: string,
  ready: RegExp,
  env: Record<string, string> = {},
): Promise<CliProcess & { match: RegExpExecArray }> {
  const child = spawn(process.execPath, [...cliArgs, ...args], { env: cliEnv(env), cwd });
  let out = "";
  const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
  return new Promise((resolve, reject) => {
    child.stderr.on("data", (d: Buffer) => (out += d.toString()));
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      const match = ready.exec(out);
      if (match) resolve({ child, output: () => out, exited, match });
    });
    void exited.then((code) => reject(new Error(`exited ${code} before ${ready}: ${out}`)));
  });
}

/** A fresh temporary folder. */
export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), "llmux-cli-"));
}

/** Writes `text` to `name` in `dir`; returns the path. */
export function writeIn(dir: string, name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}
