/**
 * `npm run bench:gateway [-- --quick] [-- --cpu-prof] [-- --streams=N] [-- --no-streams] [-- --only=stream|non-stream]
 * [-- --log-level=L] [-- --node-flag=F]`: what the
 * llmux gateway costs on the wire, measured the way users run it.
 *
 * - llmux is the **built CLI** (`npm run build`, then `node bin/llmux.js serve --config …`) with a
 *   default config: one provider and one model group, logging at info (one line per request, to a
 *   pipe), metrics on.
 * - Beside it, in the same run: a bare node:http + undici pass-through proxy (`pinned/bare-proxy.ts`,
 *   nothing parsed) and nginx (Debian's package, when installed).
 * - The upstream is a minimal mock (`pinned/upstream-mock.ts`): a fixed chat.completion, or a
 *   22-event stream written one event per event-loop turn.
 * - The servers (upstream, proxies) are pinned to core 0, the load generator (wrk when installed,
 *   autocannon otherwise) and this process to core 1 (`taskset`). Every proxy's CPU time is read from
 *   /proc for its whole process tree, before and after each run.
 *
 * Phases:
 * 1. Throughput at 32 connections, non-streaming and streaming: req/s, latency, CPU µs per request
 *    of each proxy, and the ratios to the bare proxy. Rounds alternate the order of the targets.
 * 2. Time to first byte at 1 connection: median and p90 over direct, per proxy.
 * 3. Shared state: llmux on Redis vs llmux on memory (when Redis answers on 127.0.0.1:6379).
 * 4. 2,000 concurrent slow streams (50 chunks 20 ms apart from the project's simulator): completed,
 *    errors, peak RSS, TTFB p99 added over direct by llmux and by the bare proxy.
 *
 * Bars (issue "The request path at the Node floor"): llmux CPU per request ≤ 1.0× the bare proxy's,
 * non-streaming and streaming, 0 errors; TTFB overhead ≤ 0.2 ms over direct at 1 connection; Redis
 * ≤ 1.2× memory; 2,000 slow streams all complete, peak RSS < 300 MiB, added TTFB p99 ≤ the bare proxy's.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { connect, createServer } from "node:net";
import { cpus, loadavg, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { machineBusyUs, mb, ms, percentile, shell, sleep, table } from "./bench-stats.js";
import { topSelfTime } from "./cpu-profile.js";
import { generator, runLoad, type LoadResult } from "./pinned/load.js";
import { nginxBinary, startNginx } from "./pinned/nginx.js";
import { killServers, pinning, startPinned, type Pinned } from "./pinned/processes.js";
import { measureTtfb } from "./pinned/ttfb.js";
import { runStreams, type StreamsRun } from "./slow-streams.js";

const args = process.argv.slice(2);
const quick = args.includes("--quick");
const profiling = args.includes("--cpu-prof");
const slowStreams = !args.includes("--no-streams");
/** `--only=stream` or `--only=non-stream`: measure one kind only in phase 1 (for profiling). */
const only = /--only=(non-stream|stream)/.exec(args.join(" "))?.[1] ?? null;
const streamCount = Number(/--streams=(\d+)/.exec(args.join(" "))?.[1] ?? 2000);
const redisUrl = /--redis=(\S+)/.exec(args.join(" "))?.[1] ?? "redis://127.0.0.1:6379";
/** `--log-level=L`: llmux's logging.level instead of the default (info), to see what logging costs. */
const logLevel = /--log-level=(\w+)/.exec(args.join(" "))?.[1] ?? null;
/** `--node-flag=F` (repeatable): a V8/Node flag for llmux's process, e.g. `--node-flag=--max-semi-space-size=32`. */
const nodeFlags = args
  .filter((arg) => arg.startsWith("--node-flag="))
  .map((arg) => arg.slice("--node-flag=".length));
const connections = 32;
const secondsPerRun = quick ? 3 : 4;
const rounds = quick ? 2 : 4;
const ttfbCount = quick ? 400 : 1500;
const model = "gpt-4.1";
const messages = [{ role: "user", content: "Say hello." }];
const nonStreamBody = JSON.stringify({ model, messages });
const streamBody = JSON.stringify({ model, messages, stream: true });
const twoCores = cpus().length >= 2;
const serverCore = twoCores ? 0 : null;
const loadCore = twoCores ? 1 : null;
const root = fileURLToPath(new URL("..", import.meta.url));
const here = (file: string): string => fileURLToPath(new URL(file, import.meta.url));
const bars = { cpuRatio: 1.0, ttfbMs: 0.2, redisRatio: 1.2, rssMb: 300 };

const started = Date.now();
const log = (line: string): void => {
  process.stderr.write(`[${((Date.now() - started) / 1000).toFixed(0)}s] ${line}\n`);
};

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Whether a Redis answers PING at `redisUrl` within a second. */
function redisAnswers(): Promise<boolean> {
  const url = new URL(redisUrl);
  return new Promise((resolve) => {
    const socket = connect(Number(url.port || 6379), url.hostname, () => socket.write("PING\r\n"));
    const timer = setTimeout(() => finish(false), 1000);
    const finish = (ok: boolean): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    socket.once("data", (data) => finish(data.toString().startsWith("+PONG")));
    socket.once("error", () => finish(false));
  });
}

const tsx = ["--import", "tsx"];

function startMock(): Promise<Pinned> {
  return startPinned({
    name: "upstream",
    core: serverCore,
    command: process.execPath,
    args: [...tsx, here("./pinned/upstream-mock.ts"), "{}"],
    ready: /READY (\S+)/,
  });
}

function startBare(upstream: string): Promise<Pinned> {
  return startPinned({
    name: "bare",
    core: serverCore,
    command: process.execPath,
    args: [...tsx, here("./pinned/bare-proxy.ts"), JSON.stringify({ upstream })],
    ready: /READY (\S+)/,
  });
}

/** The built CLI serving a default config over `upstream`; `redis` puts its state there. */
async function startLlmux(
  name: string,
  upstream: string,
  options: { redis?: string; profileDir?: string } = {},
): Promise<Pinned> {
  const dir = mkdtempSync(join(tmpdir(), "llmux-bench-config-"));
  const port = await freePort();
  const file = join(dir, "llmux.yaml");
  writeFileSync(
    file,
    `server:
  port: ${port}
${logLevel ? `logging:\n  level: ${logLevel}\n` : ""}providers:
  - { id: mock, type: openai-compatible, base_url: "${upstream}", api_key: bench-key }
models:
  ${model}:
    deployments: [mock/${model}]
${options.redis ? `state:\n  redis:\n    url: "${options.redis}"\n    prefix: "llmux-bench-${process.pid}-${name}:"\n` : ""}`,
  );
  const profile = options.profileDir ? ["--cpu-prof", `--cpu-prof-dir=${options.profileDir}`] : [];
  const env = { ...process.env };
  delete env["REDIS_URL"];
  delete env["LLMUX_API_KEYS"];
  return startPinned({
    name,
    core: serverCore,
    command: process.execPath,
    args: [...nodeFlags, ...profile, join(root, "bin/llmux.js"), "serve", "--config", file],
    ready: /llmux gateway on (\S+\/v1)/,
    env,
    cwd: dir,
  });
}

/** What a target answers to one request of each kind (to show they all send the same). */
async function peek(url: string, stream: boolean): Promise<string> {
  const response = await fetch(`${url}/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: "Bearer bench-key" },
    body: stream ? streamBody : nonStreamBody,
  });
  const text = await response.text();
  if (!stream) return `${response.status}, ${text.length} bytes`;
  const events = text.split("\n\n").filter((event) => event.startsWith("data: "));
  return `${response.status}, ${events.length - 1} events + [DONE], ${text.length} bytes`;
}

interface Tally {
  /** Own CPU µs per completed request in each round (ratios are taken round by round: the machine drifts). */
  cpuPerRound: number[];
  ok: number;
  failed: number;
  seconds: number;
  p50: number[];
  p99: number[];
  proxyUs: number;
  upstreamUs: number;
  othersUs: number;
  wallUs: number;
}

/** One load run against `target` (null = the upstream directly), with CPU deltas. */
async function measure(
  url: string,
  proxy: Pinned | null,
  upstream: Pinned,
  stream: boolean,
  seconds: number,
): Promise<Tally> {
  const proxyBefore = proxy?.cpuUs() ?? 0;
  const upstreamBefore = upstream.cpuUs();
  const machineBefore = machineBusyUs() ?? 0;
  const wallBefore = performance.now();
  const result: LoadResult = await runLoad(
    `${url}/chat/completions`,
    stream ? streamBody : nonStreamBody,
    connections,
    seconds,
    loadCore,
  );
  await sleep(100);
  const proxyUs = (proxy?.cpuUs() ?? 0) - proxyBefore;
  const upstreamUs = upstream.cpuUs() - upstreamBefore;
  const wallUs = (performance.now() - wallBefore) * 1000;
  return {
    cpuPerRound: [proxyUs / Math.max(1, result.ok)],
    ok: result.ok,
    failed: result.failed,
    seconds: result.seconds,
    p50: [result.p50],
    p99: [result.p99],
    proxyUs,
    upstreamUs,
    othersUs: Math.max(0, (machineBusyUs() ?? 0) - machineBefore),
    wallUs,
  };
}

function add(sum: Tally | undefined, tally: Tally): Tally {
  if (!sum) return tally;
  return {
    cpuPerRound: [...sum.cpuPerRound, ...tally.cpuPerRound],
    ok: sum.ok + tally.ok,
    failed: sum.failed + tally.failed,
    seconds: sum.seconds + tally.seconds,
    p50: [...sum.p50, ...tally.p50],
    p99: [...sum.p99, ...tally.p99],
    proxyUs: sum.proxyUs + tally.proxyUs,
    upstreamUs: sum.upstreamUs + tally.upstreamUs,
    othersUs: sum.othersUs + tally.othersUs,
    wallUs: sum.wallUs + tally.wallUs,
  };
}

interface Target {
  name: string;
  url: string;
  proxy: Pinned | null;
}

/** Load rounds over `targets` × {non-stream, stream}; returns the tallies by `name/kind`. */
async function loadRounds(targets: Target[], upstream: Pinned): Promise<Map<string, Tally>> {
  const kinds = only === null ? [false, true] : [only === "stream"];
  const cases = kinds.flatMap((stream) => targets.map((target) => ({ target, stream })));
  const key = (target: Target, stream: boolean): string =>
    `${target.name}/${stream ? "stream" : "non-stream"}`;
  log(`warm-up: ${cases.length} cases x 1 s`);
  for (const { target, stream } of cases) await measure(target.url, target.proxy, upstream, stream, 1);
  const tallies = new Map<string, Tally>();
  for (let round = 0; round < rounds; round += 1) {
    const order = round % 2 === 0 ? cases : [...cases].reverse();
    for (const { target, stream } of order) {
      log(`round ${round + 1}/${rounds}: ${key(target, stream)} ${secondsPerRun} s`);
      const tally = await measure(target.url, target.proxy, upstream, stream, secondsPerRun);
      tallies.set(key(target, stream), add(tallies.get(key(target, stream)), tally));
    }
  }
  return tallies;
}

const average = (values: number[]): number => values.reduce((s, v) => s + v, 0) / Math.max(1, values.length);

/** Rows of the throughput table; returns llmux's CPU ratios to the bare proxy too. */
function throughputTable(
  targets: Target[],
  tallies: Map<string, Tally>,
  baseline: string,
): { rows: string[][]; ratios: Map<string, number>; failed: Map<string, number> } {
  const rows = [
    [
      "case",
      "req/s",
      `req/s vs ${baseline}`,
      "p50 ms",
      "p99 ms",
      "own CPU µs/req",
      `CPU vs ${baseline}: median of rounds (range)`,
      "upstream CPU µs/req",
      "failed",
    ],
  ];
  const ratios = new Map<string, number>();
  const failed = new Map<string, number>();
  for (const kind of ["non-stream", "stream"]) {
    const base = tallies.get(`${baseline}/${kind}`);
    const baseRate = base ? base.ok / base.seconds : NaN;
    for (const target of targets) {
      const tally = tallies.get(`${target.name}/${kind}`);
      if (!tally) continue;
      const rate = tally.ok / tally.seconds;
      const cpu = target.proxy ? tally.proxyUs / Math.max(1, tally.ok) : null;
      // The ratio of each round to the baseline's same round (adjacent in time), then their median.
      const roundRatios = base
        ? tally.cpuPerRound.map((value, index) => value / (base.cpuPerRound[index] ?? NaN))
        : [];
      const ratio = percentile(roundRatios, 50);
      if (cpu !== null) ratios.set(`${target.name}/${kind}`, ratio);
      failed.set(`${target.name}/${kind}`, tally.failed);
      rows.push([
        `${target.name}/${kind}`,
        rate.toFixed(0),
        (rate / baseRate).toFixed(2),
        ms(average(tally.p50)),
        ms(average(tally.p99)),
        cpu === null ? "-" : cpu.toFixed(0),
        cpu === null
          ? "-"
          : `${ratio.toFixed(2)} (${Math.min(...roundRatios).toFixed(2)}–${Math.max(...roundRatios).toFixed(2)})`,
        (tally.upstreamUs / Math.max(1, tally.ok)).toFixed(0),
        String(tally.failed),
      ]);
    }
  }
  return { rows, ratios, failed };
}

interface Verdicts {
  lines: string[];
}

const verdict = (ok: boolean): string => (ok ? "met" : "NOT MET");

async function throughputPhase(verdicts: Verdicts): Promise<string | null> {
  const upstream = await startMock();
  const profileDir = profiling ? mkdtempSync(join(tmpdir(), "llmux-prof-")) : null;
  const servers: Pinned[] = [upstream];
  try {
    const bare = await startBare(upstream.url);
    servers.push(bare);
    const llmux = await startLlmux("llmux", upstream.url, profileDir ? { profileDir } : {});
    servers.push(llmux);
    const targets: Target[] = [
      { name: "direct", url: upstream.url, proxy: null },
      { name: "bare", url: bare.url, proxy: bare },
      { name: "llmux", url: llmux.url, proxy: llmux },
    ];
    const nginx = nginxBinary();
    if (nginx) {
      const server = await startNginx(nginx, upstream.url, await freePort(), serverCore ?? 0);
      servers.push(server);
      targets.push({ name: "nginx", url: server.url, proxy: server });
    }
    console.log("\nWhat each target answers (one request each):");
    for (const target of targets)
      console.log(
        `  ${target.name.padEnd(7)} non-stream ${await peek(target.url, false)}; stream ${await peek(target.url, true)}`,
      );
    console.log(
      "  (llmux asks the upstream for include_usage and drops the usage chunk the caller did not ask for.)",
    );
    if (nodeFlags.length > 0) console.log(`  llmux runs with node ${nodeFlags.join(" ")}`);
    const tallies = await loadRounds(targets, upstream);
    const { rows, ratios, failed } = throughputTable(targets, tallies, "bare");
    console.log(
      `\n1) Throughput: ${connections} connections, ${rounds} x ${secondsPerRun} s per case (order alternated), ${generator}; latency = request sent → last byte`,
    );
    console.log(table(rows));
    for (const kind of ["non-stream", "stream"]) {
      const ratio = ratios.get(`llmux/${kind}`) ?? NaN;
      const errors = failed.get(`llmux/${kind}`) ?? 0;
      verdicts.lines.push(
        `llmux own CPU per ${kind.padEnd(10)} request = ${ratio.toFixed(2)}× the bare proxy's (bar ≤ ${bars.cpuRatio.toFixed(1)}×), ${errors} failed: ${verdict(ratio <= bars.cpuRatio && errors === 0)}`,
      );
    }
    console.log(
      `\n2) Time to first byte at 1 connection (${ttfbCount} sequential requests per target and kind)`,
    );
    const ttfbRows = [["case", "median ms", "p90 ms", "median over direct ms"]];
    for (const stream of [false, true]) {
      const medians = new Map<string, number>();
      const samples = new Map<string, number[]>();
      for (let round = 0; round < 2; round += 1) {
        const order = round === 0 ? targets : [...targets].reverse();
        for (const target of order) {
          const times = await measureTtfb(
            `${target.url}/chat/completions`,
            stream ? streamBody : nonStreamBody,
            ttfbCount / 2,
            50,
          );
          samples.set(target.name, [...(samples.get(target.name) ?? []), ...times]);
        }
      }
      for (const target of targets) medians.set(target.name, percentile(samples.get(target.name) ?? [], 50));
      const direct = medians.get("direct") ?? 0;
      for (const target of targets) {
        const times = samples.get(target.name) ?? [];
        const median = medians.get(target.name) ?? 0;
        ttfbRows.push([
          `${target.name}/${stream ? "stream" : "non-stream"}`,
          median.toFixed(3),
          percentile(times, 90).toFixed(3),
          target.name === "direct" ? "-" : (median - direct).toFixed(3),
        ]);
        if (target.name === "llmux")
          verdicts.lines.push(
            `llmux TTFB overhead at 1 connection, ${stream ? "stream    " : "non-stream"} = ${(median - direct).toFixed(3)} ms (bar ≤ ${bars.ttfbMs} ms): ${verdict(median - direct <= bars.ttfbMs)}`,
          );
      }
    }
    console.log(table(ttfbRows));
    if (await redisAnswers()) {
      const shared = await startLlmux("llmux+redis", upstream.url, { redis: redisUrl });
      servers.push(shared);
      const pair: Target[] = [
        { name: "llmux", url: llmux.url, proxy: llmux },
        { name: "llmux+redis", url: shared.url, proxy: shared },
      ];
      const redisTallies = await loadRounds(pair, upstream);
      const table3 = throughputTable(pair, redisTallies, "llmux");
      console.log(`\n3) Shared state: llmux on Redis (${redisUrl}) vs llmux on memory, same run`);
      console.log(table(table3.rows));
      for (const kind of ["non-stream", "stream"]) {
        const ratio = table3.ratios.get(`llmux+redis/${kind}`) ?? NaN;
        verdicts.lines.push(
          `llmux on Redis, CPU per ${kind.padEnd(10)} request = ${ratio.toFixed(2)}× memory (bar ≤ ${bars.redisRatio}×): ${verdict(ratio <= bars.redisRatio)}`,
        );
      }
    } else console.log(`\n3) Shared state: skipped (no Redis answering at ${redisUrl})`);
  } finally {
    for (const server of servers.reverse()) await server.stop();
  }
  return profileDir;
}

interface StreamsTally {
  run: StreamsRun;
  peakRss: number;
  cpuUs: number;
}

async function streamRun(url: string, server: Pinned): Promise<StreamsTally> {
  let peakRss = server.rss();
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, server.rss())), 100);
  const cpuBefore = server.cpuUs();
  try {
    const run = await runStreams(
      `${url}/chat/completions`,
      { model, messages, stream: true },
      { count: streamCount, wave: 100, waveEveryMs: 10, timeoutMs: 60_000 },
    );
    await sleep(150);
    return { run, peakRss: Math.max(peakRss, server.rss()), cpuUs: server.cpuUs() - cpuBefore };
  } finally {
    clearInterval(sampler);
  }
}

async function slowStreamsPhase(verdicts: Verdicts): Promise<void> {
  const sim = await startPinned({
    name: "simulator",
    core: serverCore,
    command: process.execPath,
    args: [...tsx, here("./sim-process.ts"), JSON.stringify({ chunks: 50, chunkDelayMs: 20 })],
    ready: /READY (\S+)/,
  });
  const servers: Pinned[] = [sim];
  try {
    const bare = await startBare(sim.url);
    servers.push(bare);
    const llmux = await startLlmux("llmux", sim.url);
    servers.push(llmux);
    const targets = [
      { name: "direct", url: sim.url, server: sim },
      { name: "bare", url: bare.url, server: bare },
      { name: "llmux", url: llmux.url, server: llmux },
    ];
    const results = new Map<string, StreamsTally>();
    for (const target of targets) {
      log(`slow streams: ${streamCount} via ${target.name}`);
      results.set(target.name, await streamRun(target.url, target.server));
      await sleep(500);
    }
    const rows = [
      [
        "target",
        "completed",
        "errors",
        "peak RSS MB",
        "TTFB p50 ms",
        "TTFB p99 ms",
        "added TTFB p99 ms",
        "CPU µs/stream",
      ],
    ];
    const directP99 = percentile(results.get("direct")?.run.ttfb ?? [], 99);
    const added = new Map<string, number>();
    for (const target of targets) {
      const tally = results.get(target.name);
      if (!tally) continue;
      const p99 = percentile(tally.run.ttfb, 99);
      added.set(target.name, p99 - directP99);
      rows.push([
        target.name === "direct" ? "direct (simulator)" : target.name,
        `${tally.run.completed}/${streamCount}`,
        tally.run.errors.size === 0 ? "0" : [...tally.run.errors].map(([r, n]) => `${r}: ${n}`).join(", "),
        mb(tally.peakRss),
        ms(percentile(tally.run.ttfb, 50)),
        ms(p99),
        target.name === "direct" ? "-" : ms(p99 - directP99),
        target.name === "direct" ? "-" : (tally.cpuUs / Math.max(1, tally.run.completed)).toFixed(0),
      ]);
    }
    console.log(
      `\n4) ${streamCount} concurrent slow streams (50 chunks 20 ms apart, started in waves of 100 every 10 ms, one connection each)`,
    );
    console.log(table(rows));
    const mine = results.get("llmux");
    const allDone = mine?.run.completed === streamCount;
    const rss = mine?.peakRss ?? Infinity;
    const llmuxAdded = added.get("llmux") ?? Infinity;
    const bareAdded = added.get("bare") ?? 0;
    verdicts.lines.push(
      `${streamCount} slow streams: ${mine?.run.completed ?? 0} complete, peak RSS ${mb(rss)} MiB (bar < ${bars.rssMb}), added TTFB p99 ${ms(llmuxAdded)} ms vs bare ${ms(bareAdded)} ms: ${verdict(allDone && rss < bars.rssMb * 1024 * 1024 && llmuxAdded <= Math.max(bareAdded, 0) + 1)}`,
    );
  } finally {
    for (const server of servers.reverse()) await server.stop();
  }
}

function printProfile(dir: string): void {
  const file = readdirSync(dir)
    .filter((name) => name.endsWith(".cpuprofile"))
    .sort((a, b) => statSync(join(dir, b)).size - statSync(join(dir, a)).size)[0];
  if (!file) return;
  console.log(`\nTop self time of the phase-1 gateway (${join(dir, file)}):`);
  for (const line of topSelfTime(join(dir, file), 30)) console.log(`  ${line}`);
}

async function main(): Promise<void> {
  if (loadCore !== null && pinning) shell(`taskset -p -c ${loadCore} ${process.pid} >/dev/null`);
  log("building (npm run build): the benchmark measures the built CLI");
  execFileSync("npm", ["run", "build", "--silent"], { cwd: root, stdio: "inherit" });
  const cpu = cpus();
  console.log(`llmux gateway benchmark${quick ? " (--quick)" : ""}`);
  console.log(
    `node ${process.version}, ${cpu.length} cores (${cpu[0]?.model.trim() ?? "?"}), ${mb(totalmem())} MB RAM, load ${loadavg()
      .map((n) => n.toFixed(2))
      .join(
        " ",
      )}; ${pinning && twoCores ? "servers pinned to core 0, load to core 1" : "NOT pinned (needs taskset and 2 cores)"}; load: ${generator}; nginx: ${nginxBinary() ? "yes" : "not installed"}`,
  );
  const verdicts: Verdicts = { lines: [] };
  const profile = await throughputPhase(verdicts);
  if (slowStreams) await slowStreamsPhase(verdicts);
  console.log("\nBars (this run):");
  for (const line of verdicts.lines) console.log(`  ${line}`);
  if (profile) printProfile(profile);
  log("done");
}

const deadline = setTimeout(
  () => {
    console.error("bench:gateway: time limit reached, stopping");
    killServers();
    process.exit(1);
  },
  (quick ? 5 : 12) * 60_000,
);
deadline.unref();
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const)
  process.once(signal, () => {
    killServers();
    process.exit(130);
  });
try {
  await main();
} catch (error) {
  console.error(error);
  process.exitCode = 1;
} finally {
  killServers();
  clearTimeout(deadline);
}
