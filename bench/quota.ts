/**
 * `npm run bench:quota`: how much of the combined quota of several keys llmux turns into answers, and
 * what callers see, on a provider-faithful simulator: token buckets that refill continuously (burst 0.25 and
 * 1.0 of each limit), per-organisation limits, Gemini's and header-less providers. Contenders, each on its own
 * simulator, run side by side with the same seeded Poisson arrivals, callers never retrying:
 *
 * - `learned`: llmux's gateway with nothing configured but the keys (a MultiRouter `providers.yaml`);
 * - `configured`: the same with each key's true rpm/tpm;
 * - `naive`: weighted random with a fixed cooldown, like the seed library `@upstash/model-multiplexer`.
 *
 * Time is scaled (a 60 s limit window is 4 s; see `quota-scale.ts`) so a scenario spans 15 windows in 60 s.
 * Verdicts are for the learned mode, against the bars of issue 10. Each scenario also prints its ceiling
 * (`quota-ideal.ts`): what one pooled bucket known exactly would serve of the same arrivals with the same wait.
 *
 * Flags: `--quick` (4 windows per scenario), `--windows=N`, `--window-ms=N`, `--burst=0.25,1`,
 * `--only=80%,org` (scenario names containing one of these), `--even` (evenly spaced arrivals), `--seed=N`,
 * `--count-rejected` (the simulator counts rejected requests, as OpenAI does), `--max-wait-ms=N` (llmux's wait
 * for capacity instead of its scaled default), `--limiter=window` (the simulator's fixed windows instead of
 * token buckets, as bench:quota measured before; no burst).
 */
import { cpus, loadavg } from "node:os";
import { CONTENDERS } from "./quota-contenders.js";
import { idealRun } from "./quota-ideal.js";
import { meteringOf, runScenario, type RunSettings } from "./quota-load.js";
import { measure } from "./quota-metrics.js";
import { deleteKeys, redisAnswers } from "./quota-redis.js";
import { barsTable, resultsTable, summary, verdict, type ResultRow } from "./quota-report.js";
import { describeScale, scaledEngineOptions, scaledNaiveCooldownMs, timeScale } from "./quota-scale.js";
import { quotaRequests, SCENARIOS } from "./quota-scenarios.js";

const args = process.argv.slice(2);
const flag = (name: string): string | undefined =>
  args.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3);
const quick = args.includes("--quick");

const scale = timeScale(Number(flag("window-ms") ?? 4000));
const maxWait = flag("max-wait-ms");
const engine = scaledEngineOptions(scale, maxWait === undefined ? undefined : Number(maxWait));
const limiter = flag("limiter") === "window" ? "window" : "bucket";
// Fixed windows have no burst: one pass.
const bursts = limiter === "window" ? [1] : (flag("burst") ?? "0.25,1").split(",").map(Number);
const only = flag("only")?.split(",");
const base = {
  scale,
  windows: Number(flag("windows") ?? (quick ? 4 : 15)),
  latencyMs: 100,
  engine,
  naiveCooldownMs: scaledNaiveCooldownMs(scale),
  arrivals: args.includes("--even") ? "even" : "poisson",
  seed: Number(flag("seed") ?? 42),
  countRejected: args.includes("--count-rejected"),
  limiter,
} as const;

async function main(): Promise<void> {
  const began = Date.now();
  const redisUp = await redisAnswers("127.0.0.1", 6379);
  const redis = redisUp
    ? { url: "redis://127.0.0.1:6379", prefix: `llmux-bench-quota:${process.pid}:${began}:` }
    : undefined;
  console.log(
    `bench:quota — llmux learned / configured vs naive, simulator in-process on 127.0.0.1 (${limiter === "bucket" ? "token buckets" : "fixed windows"})`,
  );
  for (const line of describeScale(scale, engine, base.latencyMs)) console.log(line);
  console.log(
    `each scenario: ${base.arrivals} arrivals for ${base.windows} windows (${(base.windows * scale.windowMs) / 1000} s); bursts ${bursts.join(", ")}; seed ${base.seed}` +
      `; rejected requests ${base.countRejected ? "count" : "do not count"} against the simulator's buckets; callers never retry`,
  );
  console.log(
    `served % of quota = what the simulator admitted during the arrivals / (Σ over limit owners of burst × limit + limit × duration / window)`,
  );
  console.log(
    redis
      ? `two-node scenario: both gateways on Redis ${redis.url}, keys under "${redis.prefix}" (deleted at the end)`
      : "two-node scenario: skipped, no Redis answers on 127.0.0.1:6379",
  );
  const load = loadavg()[0] ?? 0;
  console.log(
    `load average ${load.toFixed(1)} on ${cpus().length} CPUs${load > cpus().length ? " — busy machine: latencies inflate" : ""}`,
  );
  const rows: ResultRow[] = [];
  const scenarios = SCENARIOS.filter(
    (scenario) => only === undefined || only.some((part) => scenario.name.includes(part)),
  );
  for (const scenario of scenarios) {
    if (scenario.nodes > 1 && !redis) {
      console.log(
        `\n${scenario.name}: skipped — no Redis answers on 127.0.0.1:6379 (start redis-server to run it)`,
      );
      continue;
    }
    for (const burst of bursts) {
      const settings: RunSettings = { ...base, burst, redis };
      const { offsets, runs, loopDelayP99Ms } = await runScenario(scenario, settings, CONTENDERS);
      const quota = quotaRequests(scenario, meteringOf(settings), base.windows * scale.windowMs);
      const ideal = idealRun(scenario, settings, offsets, engine.maxWaitMs ?? 0);
      const results = runs.map((run) => ({
        scenario: scenario.name,
        burst,
        contender: run.contender,
        metrics: measure(run, scenario, settings),
        bars: scenario.bars,
        ideal,
      }));
      rows.push(...results);
      const lag = Math.max(...runs.map((run) => run.maxTimerLagMs));
      console.log(
        `\n${scenario.name} @ burst ${burst}: ${scenario.title}; true quota ${quota.toFixed(0)} requests, ${offsets.length} offered; ` +
          `event-loop delay p99 ${loopDelayP99Ms.toFixed(0)} ms, arrival timers up to ${lag.toFixed(0)} ms late`,
      );
      if (ideal !== null)
        console.log(
          `  ceiling (one pooled bucket known exactly, same ${engine.maxWaitMs ?? 0} ms wait): ${ideal.servedQuotaPct.toFixed(1)}% of quota; caller errors ${ideal.refused}`,
        );
      for (const row of results)
        console.log(
          `  ${row.contender}: served ${row.metrics.servedPct.toFixed(1)}% of requests, ${row.metrics.servedQuotaPct.toFixed(1)}% of quota; ` +
            `caller errors ${row.metrics.callerErrors}; upstream 429s ${row.metrics.upstream429} — ${verdict(row)}`,
        );
    }
  }
  console.log(`\n## results (bars: verdict of the learned mode)\n`);
  console.log(resultsTable(rows));
  console.log(`\n## bars, every contender\n`);
  console.log(barsTable(rows, CONTENDERS));
  console.log(`\n${summary(rows, CONTENDERS)}`);
  if (redis) await deleteKeys(redis.url, redis.prefix);
  console.log(`total run ${((Date.now() - began) / 1000).toFixed(0)} s`);
}

await main();
