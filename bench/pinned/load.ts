/**
 * The load generator of `npm run bench:gateway`: wrk (Debian's package) when installed, autocannon
 * otherwise, pinned to its own core, POSTing one chat completion request over keep-alive connections
 * for a fixed time.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { shell } from "../bench-stats.js";
import { pinnedCommand } from "./processes.js";

/** What one load run measured. */
export interface LoadResult {
  /** Responses completed with a 2xx status. */
  ok: number;
  /** Non-2xx responses, socket errors and timeouts. */
  failed: number;
  seconds: number;
  /** Latency percentiles (request sent → last byte), ms. */
  p50: number;
  p99: number;
}

/** Which generator runs: "wrk" or "autocannon". */
export const generator: "wrk" | "autocannon" = shell("command -v wrk") ? "wrk" : "autocannon";

function run(command: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${command} failed: ${error.message}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

function wrkMs(value: string, unit: string): number {
  const number = Number(value);
  return unit === "us" ? number / 1000 : unit === "s" ? number * 1000 : number;
}

const luaDir = mkdtempSync(join(tmpdir(), "llmux-bench-wrk-"));

async function wrk(
  url: string,
  body: string,
  connections: number,
  seconds: number,
  core: number | null,
): Promise<LoadResult> {
  const script = join(luaDir, `${Buffer.from(body).toString("hex").slice(0, 16)}-${body.length}.lua`);
  writeFileSync(
    script,
    `wrk.method = "POST"
wrk.body = ${JSON.stringify(body)}
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer bench-key"
`,
  );
  const [command, args] = pinnedCommand(core, "wrk", [
    "-t1",
    `-c${connections}`,
    `-d${seconds}s`,
    "--latency",
    "--timeout",
    "10s",
    "-s",
    script,
    url,
  ]);
  const out = await run(command, args);
  const total = Number(/(\d+) requests in ([\d.]+)(m?s)/.exec(out)?.[1] ?? 0);
  const duration = /requests in ([\d.]+)(ms|s|m)/.exec(out);
  const secondsMeasured = duration
    ? duration[2] === "ms"
      ? Number(duration[1]) / 1000
      : duration[2] === "m"
        ? Number(duration[1]) * 60
        : Number(duration[1])
    : seconds;
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const socketErrors = socket
    ? Number(socket[1]) + Number(socket[2]) + Number(socket[3]) + Number(socket[4])
    : 0;
  const percentile = (p: string): number => {
    const match = new RegExp(`\\s${p}%\\s+([\\d.]+)(us|ms|s)`).exec(out);
    return match ? wrkMs(match[1] ?? "0", match[2] ?? "ms") : NaN;
  };
  return {
    ok: total - non2xx,
    failed: non2xx + socketErrors,
    seconds: secondsMeasured,
    p50: percentile("50"),
    p99: percentile("99"),
  };
}

async function autocannon(
  url: string,
  body: string,
  connections: number,
  seconds: number,
  core: number | null,
): Promise<LoadResult> {
  const bin = join(createRequire(import.meta.url).resolve("autocannon/package.json"), "..", "autocannon.js");
  const [command, args] = pinnedCommand(core, process.execPath, [
    bin,
    "-j",
    "-c",
    String(connections),
    "-d",
    String(seconds),
    "-m",
    "POST",
    "-H",
    "content-type=application/json",
    "-H",
    "authorization=Bearer bench-key",
    "-b",
    body,
    url,
  ]);
  const result = JSON.parse(await run(command, args)) as {
    "2xx": number;
    non2xx: number;
    errors: number;
    timeouts: number;
    duration: number;
    latency: { p50: number; p99: number };
  };
  return {
    ok: result["2xx"],
    failed: result.non2xx + result.errors + result.timeouts,
    seconds: result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
  };
}

/** Runs the load generator against `url` (a chat completions endpoint). */
export function runLoad(
  url: string,
  body: string,
  connections: number,
  seconds: number,
  core: number | null,
): Promise<LoadResult> {
  return generator === "wrk"
    ? wrk(url, body, connections, seconds, core)
    : autocannon(url, body, connections, seconds, core);
}
