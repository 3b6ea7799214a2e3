/**
 * `npm run bench:gateway [-- --quick] [-- --cpu-prof]`: the cost of the llmux gateway on the wire.
 *
 * Every server runs in its own process on 127.0.0.1, so each one's CPU time is its own:
 * - upstream: the provider simulator (`bench/sim-process.ts`), answering at once;
 * - llmux: the gateway (`bench/gateway-process.ts`), one group with one deployment on the simulator;
 * - bare: a minimal node:http + undici pass-through proxy (`bench/bare-proxy-process.ts`), the floor
 *   any Node proxy pays.
 *
 * 1. Throughput: autocannon at 64 connections, non-streaming and streaming (role chunk + 20 content
 *    chunks + finish chunk = 22 events, then `[DONE]`), direct to the simulator vs through the bare
 *    proxy vs through llmux. Rounds alternate the order (forward, then reverse) so noise hits all alike.
 *    Prints req/s, p50/p99 latency (to the last body byte), the ratio to direct, and each proxy's own
 *    CPU time per request (`process.cpuUsage()` delta read inside the child over IPC / completed
 *    requests). Bars: llmux ≤ 100 µs per non-streaming request and ≤ 150 µs per 22-event stream.
 * 2. Slow streams: 2,000 concurrent streams of 50 chunks 20 ms apart, direct vs bare vs llmux (fresh
 *    proxy processes): completed, errors, peak RSS of the proxy (sampled every 100 ms), time to first
 *    byte p50/p99 and llmux's added TTFB p99 over direct. Bar: all 2,000 complete with RSS < 300 MB.
 *
 * The gateway runs from source under tsx with source-mapped stack traces turned off, as the built
 * gateway runs. `--streams=N` changes the 2,000.
 *
 * `--cpu-prof` runs the phase-1 gateway under `node --cpu-prof` and prints its top self-time
 * functions (CPU figures then include the profiler's overhead).
 */
import { mkdtempSync, readdirSync, statSync } from "node:fs";
import { cpus, loadavg, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { topSelfTime } from "./cpu-profile.js";
import {
  listenOverflows,
  machineBusyUs,
  mb,
  ms,
  percentile,
  procCpuUs,
  procRss,
  shell,
  sleep,
  table,
} from "./bench-stats.js";
import { runLoad, type LoadRun } from "./load.js";
import { runStreams, type StreamsRun } from "./slow-streams.js";
import { spawnSimulator, type SimProcess } from "./spawn-sim.js";
import { killAll, spawnBenchChild, track, type BenchChild } from "./spawn-child.js";

const args = process.argv.slice(2);
const quick = args.includes("--quick");
const profiling = args.includes("--cpu-prof");
/** `--redis[=URL]`: also run llmux on shared Redis state, against llmux on memory, both taking capacity per request. */
const redisUrl = args.includes("--redis")
  ? "redis://127.0.0.1:6379"
  : (/--redis=(\S+)/.exec(args.join(" "))?.[1] ?? null);
const streamCount = Number(/--streams=(\d+)/.exec(args.join(" "))?.[1] ?? 2000);
const connections = 64;
const secondsPerRun = quick ? 3 : 5;
const rounds = quick ? 1 : 2;
const warmSeconds = 1;
const streamRounds = quick ? 1 : 2;
const model = "gpt-4.1";
const messages = [{ role: "user", content: "Say hello." }];
const bars = { nonStreamUs: 100, streamUs: 150, rssMb: 300 };

type TargetName = "direct" | "bare" | "llmux" | "llmux+redis";
interface Target {
  name: TargetName;
  url: string;
  server: BenchChild | null;
}

const started = Date.now();
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(0)}s`;
const log = (line: string) => process.stderr.write(`[${elapsed()}] ${line}\n`);

function header(): void {
  const limit = shell("ulimit -n");
  const cpu = cpus();
  console.log("llmux gateway benchmark" + (quick ? " (--quick)" : ""));
  console.log(
    `node ${process.version}, ${cpu.length} cores (${cpu[0]?.model.trim() ?? "?"}), ${mb(totalmem())} MB RAM, ulimit -n ${limit ?? "?"}, load average ${loadavg()
      .map((n) => n.toFixed(2))
      .join(" ")}`,
  );
  if (limit !== "unlimited" && Number(limit) < 4096)
    console.log(
      `WARNING: ulimit -n is ${limit}; ${streamCount} concurrent streams need ~${streamCount} descriptors in the client and ~${2 * streamCount} in a proxy. Raise it (ulimit -n 65536).`,
    );
}

/** Events per stream and a peek at one answer, to print what each target actually sends. */
async function peek(url: string, stream: boolean): Promise<string> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: "Bearer bench-key" },
    body: JSON.stringify({ model, messages, stream }),
  });
  const text = await response.text();
  if (!stream) return `${response.status}, ${text.length} bytes`;
  const events = text.split("\n\n").filter((event) => event.startsWith("data: "));
  const usage = events.some((event) => event.includes('"usage":{'));
  return `${response.status}, ${events.length - 1} events + [DONE]${usage ? " (one with usage)" : ""}, ${text.length} bytes`;
}

interface Tally {
  runs: LoadRun[];
  serverCpuUs: number;
  simCpuUs: number;
  /** CPU time of processes other than this benchmark's, and the wall time it was measured over (µs). */
  othersUs: number;
  wallUs: number;
}

/** CPU time (µs) used so far by this process and the given children. */
function oursUs(pids: Array<number | undefined>): number {
  const self = process.cpuUsage();
  return self.user + self.system + pids.reduce((sum: number, pid) => sum + (procCpuUs(pid) ?? 0), 0);
}

async function measure(
  target: Target,
  stream: boolean,
  seconds: number,
  sim: SimProcess,
  pids: Array<number | undefined>,
): Promise<Tally> {
  const before = await target.server?.probe();
  const simBefore = procCpuUs(sim.child.pid);
  const machineBefore = machineBusyUs();
  const oursBefore = oursUs(pids);
  const wallBefore = performance.now();
  const run = await runLoad(target.url, { model, messages, stream }, connections, seconds);
  await sleep(200);
  const after = await target.server?.probe();
  const simAfter = procCpuUs(sim.child.pid);
  const machineAfter = machineBusyUs();
  const oursAfter = oursUs(pids);
  return {
    runs: [run],
    serverCpuUs: before && after ? after.cpuUs - before.cpuUs : 0,
    simCpuUs: simBefore !== null && simAfter !== null ? simAfter - simBefore : 0,
    othersUs:
      machineBefore !== null && machineAfter !== null
        ? Math.max(0, machineAfter - machineBefore - (oursAfter - oursBefore))
        : 0,
    wallUs: (performance.now() - wallBefore) * 1000,
  };
}

async function throughputPhase(): Promise<{ nonStreamUs: number; streamUs: number; profile: string | null }> {
  const sim = await spawnSimulator({ chunks: 20 });
  track(sim.child);
  const profileDir = profiling ? mkdtempSync(join(tmpdir(), "llmux-prof-")) : null;
  const gateway = await spawnBenchChild(
    "gateway-process.ts",
    { upstream: sim.url, model, limited: redisUrl !== null },
    profileDir ? ["--cpu-prof", "--cpu-prof-dir", profileDir] : [],
  );
  const bare = await spawnBenchChild("bare-proxy-process.ts", { upstream: sim.url });
  const targets: Target[] = [
    { name: "direct", url: `${sim.url}/chat/completions`, server: null },
    { name: "bare", url: `${bare.url}/v1/chat/completions`, server: bare },
    { name: "llmux", url: `${gateway.url}/v1/chat/completions`, server: gateway },
  ];
  if (redisUrl !== null) {
    const shared = await spawnBenchChild("gateway-process.ts", {
      upstream: sim.url,
      model,
      limited: true,
      redis: redisUrl,
    });
    targets.push({ name: "llmux+redis", url: `${shared.url}/v1/chat/completions`, server: shared });
    console.log(
      `--redis: llmux (memory) and llmux+redis (${redisUrl}) both take rpm/tpm capacity on every request`,
    );
  }
  try {
    console.log("\nWhat each target answers (one request):");
    for (const target of targets)
      console.log(
        `  ${target.name.padEnd(11)} non-stream ${await peek(target.url, false)}; stream ${await peek(target.url, true)}`,
      );
    console.log(
      "  (llmux asks upstream for stream_options.include_usage, so its upstream stream carries one more usage event than direct/bare.)",
    );
    const cases = [false, true].flatMap((stream) => targets.map((target) => ({ target, stream })));
    const key = (target: Target, stream: boolean) => `${target.name}/${stream ? "stream" : "non-stream"}`;
    log(`warm-up ${cases.length} cases x ${warmSeconds}s`);
    for (const { target, stream } of cases)
      await runLoad(target.url, { model, messages, stream }, connections, warmSeconds);
    const tallies = new Map<string, Tally>();
    const pids = [sim.child.pid, gateway.child.pid, bare.child.pid];
    for (let round = 0; round < rounds; round += 1) {
      const order = round % 2 === 0 ? cases : [...cases].reverse();
      for (const { target, stream } of order) {
        log(`round ${round + 1}/${rounds}: ${key(target, stream)} ${secondsPerRun}s`);
        const tally = await measure(target, stream, secondsPerRun, sim, pids);
        const sum = tallies.get(key(target, stream));
        if (!sum) tallies.set(key(target, stream), tally);
        else {
          sum.runs.push(...tally.runs);
          sum.serverCpuUs += tally.serverCpuUs;
          sum.simCpuUs += tally.simCpuUs;
          sum.othersUs += tally.othersUs;
          sum.wallUs += tally.wallUs;
        }
      }
    }
    const rows = [
      [
        "case",
        "req/s",
        "p50 ms",
        "p99 ms",
        "req/s vs direct",
        "proxy CPU µs/req",
        "sim CPU µs/req",
        "others' CPU",
        "failed",
        "bar",
      ],
    ];
    const cpuPerRequest = new Map<string, number>();
    for (const stream of [false, true]) {
      const direct = tallies.get(key(targets[0]!, stream));
      const directRate = direct
        ? direct.runs.reduce((n, r) => n + r.ok, 0) / direct.runs.reduce((s, r) => s + r.seconds, 0)
        : 0;
      for (const target of targets) {
        const tally = tallies.get(key(target, stream));
        if (!tally) continue;
        const ok = tally.runs.reduce((n, r) => n + r.ok, 0);
        const failed = tally.runs.reduce((n, r) => n + r.failed, 0);
        const rate = ok / tally.runs.reduce((s, r) => s + r.seconds, 0);
        const latencies = tally.runs.flatMap((r) => r.latencies);
        const cpu = target.server ? tally.serverCpuUs / ok : null;
        if (cpu !== null) cpuPerRequest.set(key(target, stream), cpu);
        const bar = stream ? bars.streamUs : bars.nonStreamUs;
        rows.push([
          key(target, stream),
          rate.toFixed(0),
          ms(percentile(latencies, 50)),
          ms(percentile(latencies, 99)),
          target.name === "direct" ? "1.00" : (rate / directRate).toFixed(2),
          cpu === null ? "-" : cpu.toFixed(0),
          (tally.simCpuUs / ok).toFixed(0),
          `${(tally.othersUs / tally.wallUs).toFixed(2)} cores`,
          String(failed),
          target.name === "llmux" && cpu !== null ? `≤ ${bar} µs: ${cpu <= bar ? "met" : "NOT MET"}` : "",
        ]);
      }
    }
    console.log(
      `\n1) Throughput, ${connections} connections, ${rounds} x ${secondsPerRun}s per case (order alternated), latency = request sent → last body byte`,
    );
    console.log(table(rows));
    console.log(
      `   "proxy CPU" is read inside the proxy process (process.cpuUsage over IPC) / completed requests; "sim CPU" from /proc.`,
    );
    console.log(
      `   "others' CPU" = machine busy time minus this benchmark's processes (noise from other work on the machine).`,
    );
    console.log(
      `   "failed" counts non-2xx + socket errors (autocannon drops in-flight requests at the end of a run).`,
    );
    return {
      nonStreamUs: cpuPerRequest.get("llmux/non-stream") ?? NaN,
      streamUs: cpuPerRequest.get("llmux/stream") ?? NaN,
      profile: profileDir,
    };
  } finally {
    await gateway.stop();
    await bare.stop();
    for (const target of targets) if (target.name === "llmux+redis") await target.server?.stop();
    await sim.stop();
  }
}

interface StreamsTally {
  runs: StreamsRun[];
  peakRss: number;
  startRss: number;
  /** RSS 150 ms after the last run ended. */
  endRss: number;
  /** Heap used after a forced full GC at the end of the last run (a leak shows as growth); null for direct. */
  heapAfterGc: number | null;
  serverCpuUs: number;
  /** Largest share of one core used by this process (the client) and by the simulator in a run. */
  clientCpuShare: number;
  simCpuShare: number;
  /** Connections the kernel dropped because a listen queue was full (machine-wide). */
  listenDrops: number;
  /** Largest share of the machine's cores used by other processes in a run. */
  othersCores: number;
}

async function streamRun(
  target: Target,
  sim: SimProcess,
  pids: Array<number | undefined>,
): Promise<StreamsTally> {
  const server = target.server;
  const rssOf = async () => (server ? (await server.probe()).rss : (procRss(sim.child.pid) ?? 0));
  const startRss = await rssOf();
  let peakRss = startRss;
  const sampler = setInterval(() => {
    void rssOf().then(
      (rss) => (peakRss = Math.max(peakRss, rss)),
      () => {},
    );
  }, 100);
  const cpuBefore = server ? (await server.probe()).cpuUs : (procCpuUs(sim.child.pid) ?? 0);
  const clientBefore = process.cpuUsage();
  const simBefore = procCpuUs(sim.child.pid) ?? 0;
  const dropsBefore = listenOverflows() ?? 0;
  const machineBefore = machineBusyUs() ?? 0;
  const oursBefore = oursUs(pids);
  const wallBefore = performance.now();
  try {
    const run = await runStreams(
      target.url,
      { model, messages, stream: true },
      { count: streamCount, wave: 100, waveEveryMs: 10, timeoutMs: 60_000 },
    );
    const wallMs = performance.now() - wallBefore;
    const client = process.cpuUsage(clientBefore);
    const clientCpuShare = (client.user + client.system) / 1000 / wallMs;
    const simCpuShare = ((procCpuUs(sim.child.pid) ?? 0) - simBefore) / 1000 / wallMs;
    const listenDrops = (listenOverflows() ?? 0) - dropsBefore;
    const othersUs = (machineBusyUs() ?? 0) - machineBefore - (oursUs(pids) - oursBefore);
    const othersCores = Math.max(0, othersUs) / 1000 / wallMs;
    await sleep(150);
    const endRss = await rssOf();
    peakRss = Math.max(peakRss, endRss);
    const cpuAfter = server ? (await server.probe()).cpuUs : (procCpuUs(sim.child.pid) ?? 0);
    const heapAfterGc = server ? (await server.probe(true)).heapUsed : null;
    return {
      runs: [run],
      peakRss,
      startRss,
      endRss,
      heapAfterGc,
      serverCpuUs: cpuAfter - cpuBefore,
      clientCpuShare,
      simCpuShare,
      listenDrops,
      othersCores,
    };
  } finally {
    clearInterval(sampler);
  }
}

async function slowStreamsPhase(): Promise<{ allDone: boolean; peakRss: number }> {
  const sim = await spawnSimulator({ chunks: 50, chunkDelayMs: 20 });
  track(sim.child);
  const gateway = await spawnBenchChild("gateway-process.ts", { upstream: sim.url, model });
  const bare = await spawnBenchChild("bare-proxy-process.ts", { upstream: sim.url });
  const targets: Target[] = [
    { name: "direct", url: `${sim.url}/chat/completions`, server: null },
    { name: "llmux", url: `${gateway.url}/v1/chat/completions`, server: gateway },
    { name: "bare", url: `${bare.url}/v1/chat/completions`, server: bare },
  ];
  try {
    const tallies = new Map<TargetName, StreamsTally>();
    const pids = [sim.child.pid, gateway.child.pid, bare.child.pid];
    for (let round = 0; round < streamRounds; round += 1) {
      const order = round % 2 === 0 ? targets : [...targets].reverse();
      for (const target of order) {
        log(`slow streams round ${round + 1}/${streamRounds}: ${streamCount} via ${target.name}`);
        const tally = await streamRun(target, sim, pids);
        const sum = tallies.get(target.name);
        if (!sum) tallies.set(target.name, tally);
        else {
          sum.runs.push(...tally.runs);
          sum.peakRss = Math.max(sum.peakRss, tally.peakRss);
          sum.endRss = tally.endRss;
          sum.heapAfterGc = tally.heapAfterGc;
          sum.serverCpuUs += tally.serverCpuUs;
          sum.clientCpuShare = Math.max(sum.clientCpuShare, tally.clientCpuShare);
          sum.simCpuShare = Math.max(sum.simCpuShare, tally.simCpuShare);
          sum.listenDrops += tally.listenDrops;
          sum.othersCores = Math.max(sum.othersCores, tally.othersCores);
        }
        await sleep(500);
      }
    }
    const rows = [
      [
        "target",
        "completed",
        "errors",
        "RSS start→peak→end MB",
        "heap after GC MB",
        "TTFB p50 ms",
        "TTFB p99 ms",
        "stream p50 ms",
        "stream p99 ms",
        "events",
        "CPU µs/stream",
        "client CPU",
        "sim CPU",
        "listen drops",
        "others' CPU",
      ],
    ];
    let directP99 = 0;
    let llmux = { allDone: false, peakRss: 0, p99: 0 };
    for (const target of targets) {
      const tally = tallies.get(target.name);
      if (!tally) continue;
      const completed = tally.runs.reduce((n, r) => n + r.completed, 0);
      const errors = new Map<string, number>();
      for (const run of tally.runs)
        for (const [reason, n] of run.errors) errors.set(reason, (errors.get(reason) ?? 0) + n);
      const ttfb = tally.runs.flatMap((r) => r.ttfb);
      const total = tally.runs.flatMap((r) => r.total);
      const events = tally.runs.map((r) => r.events);
      const minEvents = Math.min(...events.map((e) => e.min));
      const maxEvents = Math.max(...events.map((e) => e.max));
      const p99 = percentile(ttfb, 99);
      if (target.name === "direct") directP99 = p99;
      if (target.name === "llmux")
        llmux = { allDone: completed === streamCount * tally.runs.length, peakRss: tally.peakRss, p99 };
      rows.push([
        target.name === "direct" ? "direct (sim RSS)" : target.name,
        `${completed}/${streamCount * tally.runs.length}`,
        errors.size === 0 ? "0" : [...errors].map(([reason, n]) => `${reason}: ${n}`).join(", "),
        `${mb(tally.startRss)}→${mb(tally.peakRss)}→${mb(tally.endRss)}`,
        tally.heapAfterGc === null ? "-" : (tally.heapAfterGc / 1024 / 1024).toFixed(1),
        ms(percentile(ttfb, 50)),
        ms(p99),
        ms(percentile(total, 50)),
        ms(percentile(total, 99)),
        minEvents === maxEvents ? String(minEvents) : `${minEvents}-${maxEvents}`,
        target.server ? (tally.serverCpuUs / Math.max(1, completed)).toFixed(0) : "-",
        `${(100 * tally.clientCpuShare).toFixed(0)}%`,
        `${(100 * tally.simCpuShare).toFixed(0)}%`,
        String(tally.listenDrops),
        `${tally.othersCores.toFixed(2)} cores`,
      ]);
    }
    console.log(
      `\n2) ${streamCount} concurrent slow streams (50 chunks, 20 ms apart; started in waves of 100 every 10 ms, one connection each), ${streamRounds} round(s) per target, fresh proxy processes`,
    );
    console.log(table(rows));
    console.log(
      `   TTFB = request start (incl. connect) → first body byte; "events" = SSE events incl. [DONE]; "CPU µs/stream" = the proxy's own CPU;`,
    );
    console.log(
      `   RSS is the proxy's (direct: the simulator's), "end" 150 ms after the last round; "heap after GC" = heapUsed after a forced GC then.`,
    );
    console.log(
      `   client / sim CPU = share of one core used by the bench process (the client) / the simulator (worst run); "listen drops" =`,
    );
    console.log(
      `   kernel ListenOverflows during the runs (machine-wide): connections whose SYN was dropped because a listen queue was full (the client retries after 1 s, 3 s, …);`,
    );
    console.log(`   "others' CPU" = cores used by other processes on the machine (worst run).`);
    console.log(
      `   llmux added TTFB p99 = ${ms(llmux.p99)} − ${ms(directP99)} = ${ms(llmux.p99 - directP99)} ms`,
    );
    return { allDone: llmux.allDone, peakRss: llmux.peakRss };
  } finally {
    await gateway.stop();
    await bare.stop();
    await sim.stop();
  }
}

async function main(): Promise<void> {
  header();
  const cpu = await throughputPhase();
  const streams = await slowStreamsPhase();
  const verdict = (ok: boolean) => (ok ? "met" : "NOT MET");
  console.log("\nBars (this run):");
  console.log(
    `  llmux CPU per non-streaming request ${cpu.nonStreamUs.toFixed(0)} µs ≤ ${bars.nonStreamUs} µs: ${verdict(cpu.nonStreamUs <= bars.nonStreamUs)}`,
  );
  console.log(
    `  llmux CPU per 22-event stream       ${cpu.streamUs.toFixed(0)} µs ≤ ${bars.streamUs} µs: ${verdict(cpu.streamUs <= bars.streamUs)}`,
  );
  console.log(
    `  ${streamCount} slow streams all complete with peak RSS ${mb(streams.peakRss)} MB < ${bars.rssMb} MB: ${verdict(streams.allDone && streams.peakRss < bars.rssMb * 1024 * 1024)}`,
  );
  console.log(
    "  (reference on the issue's 2-core machine: bare node:http proxy ~170/235 µs, Portkey 1,200/2,100 µs, nginx 15/45 µs)",
  );
  if (cpu.profile) {
    // The largest profile is the main thread's (tsx's loader thread writes a small one too).
    const dir = cpu.profile;
    const file = readdirSync(dir)
      .filter((name) => name.endsWith(".cpuprofile"))
      .sort((a, b) => statSync(join(dir, b)).size - statSync(join(dir, a)).size)[0];
    if (file) {
      console.log(`\nTop self time of the phase-1 gateway (${join(cpu.profile, file)}):`);
      for (const line of topSelfTime(join(cpu.profile, file), 25)) console.log(`  ${line}`);
    }
  }
  log("done");
}

const deadline = setTimeout(
  () => {
    console.error("bench:gateway: time limit reached, stopping");
    killAll();
    process.exit(1);
  },
  (quick ? 3 : 8) * 60_000,
);
deadline.unref();
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const)
  process.once(signal, () => {
    killAll();
    process.exit(130);
  });
try {
  await main();
} catch (error) {
  console.error(error);
  process.exitCode = 1;
} finally {
  killAll();
  clearTimeout(deadline);
}
