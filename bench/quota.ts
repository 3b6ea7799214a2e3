/**
 * `npm run bench:quota`: how much of the combined quota of several keys llmux turns into answers, and
 * what callers see, next to a naive baseline (weighted random with a fixed cooldown, like the seed
 * library `@upstash/model-multiplexer`), in the same run.
 *
 * The provider simulator runs in-process with 4 keys of different limits; its rate-limit window is
 * scaled from 60 s down to a few seconds, and so are llmux's `capacityWindowMs`, its `maxWaitMs` and the
 * baseline's 60 s cooldown (60 s per 60 s window → one window). Each scenario gets a fresh simulator
 * (new counters) and a fresh router per contender; both run at the same time, each on its own simulator,
 * with the same open-loop arrivals (seeded Poisson; `--even` for evenly spaced) over a few windows.
 *
 * Flags: `--quick` (~30 s instead of ~65 s), `--even`, `--fault=reset` (the faulty key resets connections
 * instead of answering 503), `--seed=N`, `--no-ratelimit-headers` (the clients do not see the simulator's
 * `x-ratelimit-*` headers, as with providers that send none: llmux then has only its configured limits).
 */
import { cpus, loadavg } from "node:os";
import { requestCost, runScenario, type KeySpec, type RunSettings, type Scenario } from "./quota-load.js";
import {
  barsFor,
  barsTable,
  diagnostics,
  measure,
  scenarioTable,
  type Bar,
  type RunMetrics,
} from "./quota-report.js";

const args = process.argv.slice(2);
const quick = args.includes("--quick");
const flag = (name: string): string | undefined =>
  args.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3);

const windowMs = quick ? 2500 : 4000;
const settings: RunSettings = {
  windowMs,
  windows: quick ? 2 : 3,
  latencyMs: 100,
  maxWaitMs: windowMs / 2,
  naiveCooldownMs: windowMs,
  arrivals: args.includes("--even") ? "even" : "poisson",
  seed: Number(flag("seed") ?? 42),
  hideRateLimitHeaders: args.includes("--no-ratelimit-headers"),
};

/** Requests bind: rpm 30/20/20/10 (80 per window), tpm far above what the requests cost. */
const requestKeys: KeySpec[] = [
  { id: "key-a", rpm: 30, tpm: 100_000 },
  { id: "key-b", rpm: 20, tpm: 100_000 },
  { id: "key-c", rpm: 20, tpm: 100_000 },
  { id: "key-d", rpm: 10, tpm: 100_000 },
];
/** Tokens bind: tpm 3000/3000/1500/1500 (9000 per window ≈ 75 requests of 120 tokens), rpm 160 in all. */
const tokenKeys: KeySpec[] = [
  { id: "key-a", rpm: 60, tpm: 3000 },
  { id: "key-b", rpm: 40, tpm: 3000 },
  { id: "key-c", rpm: 40, tpm: 1500 },
  { id: "key-d", rpm: 20, tpm: 1500 },
];
const faultKind = flag("fault") === "reset" ? "reset" : "status";

const scenarios: Scenario[] = [
  {
    name: "80%",
    title: "80% of combined quota, requests bind",
    keys: requestKeys,
    loadPercent: 80,
    bind: "requests",
    maxTokens: 16,
  },
  {
    name: "100%",
    title: "100% of combined quota, requests bind",
    keys: requestKeys,
    loadPercent: 100,
    bind: "requests",
    maxTokens: 16,
  },
  {
    name: "130%",
    title: "130% of combined quota, requests bind",
    keys: requestKeys,
    loadPercent: 130,
    bind: "requests",
    maxTokens: 16,
  },
  {
    name: "tokens 90%",
    title: "90% of combined token quota, tokens bind (max_tokens 96)",
    keys: tokenKeys,
    loadPercent: 90,
    bind: "tokens",
    maxTokens: 96,
  },
  {
    name: "faulty 90%",
    title: `key-b ${faultKind === "reset" ? "resets every connection" : "answers 503"} all run; 90% of the other keys' combined quota`,
    keys: requestKeys,
    loadPercent: 90,
    bind: "requests",
    maxTokens: 16,
    faulty: { key: "key-b", kind: faultKind },
  },
];

function describe(scenario: Scenario, arrivals: number): string {
  const limits = scenario.keys
    .map(
      (key) => `${key.id} ${scenario.bind === "tokens" ? `${key.tpm} tpm/${key.rpm} rpm` : `${key.rpm} rpm`}`,
    )
    .join(", ");
  const cost =
    scenario.bind === "tokens" ? `; each request costs ${requestCost(scenario.maxTokens)} tokens` : "";
  return `${limits} (per ${windowMs} ms window${cost}); ${arrivals} ${settings.arrivals} arrivals over ${(settings.windows * windowMs) / 1000} s`;
}

async function main(): Promise<void> {
  console.log(
    `bench:quota — llmux vs naive (weighted random + fixed cooldown), simulator in-process on 127.0.0.1`,
  );
  console.log(
    `window ${windowMs} ms (60 s scaled ×${(windowMs / 60_000).toFixed(3)}); llmux capacityWindowMs ${windowMs}, maxWaitMs ${settings.maxWaitMs}; ` +
      `naive cooldown ${settings.naiveCooldownMs} ms (its fixed 60 s, scaled by the same factor); upstream latency ${settings.latencyMs} ms; seed ${settings.seed}` +
      (settings.hideRateLimitHeaders ? "; x-ratelimit-* headers hidden from the clients" : ""),
  );
  const load = loadavg()[0] ?? 0;
  console.log(
    `load average ${load.toFixed(1)} on ${cpus().length} CPUs` +
      (load > cpus().length
        ? " — the machine is busy: timer lag and event-loop delay inflate latencies"
        : ""),
  );
  const bars: Array<{ bar: Bar; metrics: RunMetrics[]; routers: string[] }> = [];
  const began = Date.now();
  for (const scenario of scenarios) {
    const { offsets, runs, loopDelayP99Ms, loopDelayMaxMs } = await runScenario(scenario, settings);
    const metrics = runs.map((run) => measure(run, scenario, settings));
    console.log(`\n## ${scenario.name}: ${scenario.title}`);
    console.log(describe(scenario, offsets.length));
    console.log(
      `event-loop delay of this process: p99 ${loopDelayP99Ms.toFixed(0)} ms, max ${loopDelayMaxMs.toFixed(0)} ms`,
    );
    console.log(scenarioTable(scenario, runs, metrics));
    runs.forEach((run, index) => {
      const lines = diagnostics(run, metrics[index]!, settings);
      for (const line of lines) console.log(`  ${run.router}: ${line}`);
    });
    for (const bar of barsFor(scenario)) bars.push({ bar, metrics, routers: runs.map((run) => run.router) });
  }
  console.log(`\n## bars (the issue's; ≤ 95% offered: 80%, tokens 90%, faulty 90%; over quota: 130%)`);
  console.log(barsTable(bars));
  const missed = bars.filter(({ bar, metrics }) => metrics[0] && !bar.met(metrics[0])).length;
  console.log(
    `\nllmux: ${bars.length - missed} of ${bars.length} bars met; total run ${((Date.now() - began) / 1000).toFixed(1)} s`,
  );
}

await main();
