/**
 * One scenario of `npm run bench:quota`: a fresh simulator (token buckets) per contender, open-loop
 * arrivals at a share of the true combined quota, callers that never retry, and everything the report needs
 * recorded (what each caller saw, what each simulated key answered).
 */
import { monitorEventLoopDelay, performance } from "node:perf_hooks";
import type { EngineOptions } from "../src/core/index.js";
import { startSimulator } from "../src/sim/index.js";
import type { Answer } from "./quota-calls.js";
import { startContender, type ContenderName } from "./quota-contenders.js";
import type { RedisState } from "./quota-gateway-config.js";
import type { TimeScale } from "./quota-scale.js";
import { quotaRequests, simulatorLimits, type Metering, type Scenario } from "./quota-scenarios.js";

export interface RunSettings {
  readonly scale: TimeScale;
  /** Length of the arrival period, in (scaled) windows. */
  readonly windows: number;
  /** The simulator's metering: token buckets (the default) or fixed windows. */
  readonly limiter: "bucket" | "window";
  /** Bucket capacity as a share of each limit. */
  readonly burst: number;
  readonly latencyMs: number;
  readonly engine: EngineOptions;
  readonly naiveCooldownMs: number;
  readonly arrivals: "poisson" | "even";
  readonly seed: number;
  /** The simulator counts rejected requests against the request buckets (as OpenAI does). */
  readonly countRejected: boolean;
  /** Redis for two-node scenarios; undefined when it does not answer. */
  readonly redis: RedisState | undefined;
}

/** What the caller saw for one request. */
export interface CallOutcome extends Answer {
  /** Offset of the arrival from the start of the run, ms. */
  readonly offsetMs: number;
  /** Time from the call to its answer, ms. */
  readonly durationMs: number;
}

/** One request as the simulator saw it. */
export interface UpstreamRecord {
  readonly key: string;
  readonly status: number;
  readonly at: number;
  /** Tokens the simulator charged (null when it did not admit the request). */
  readonly charged: number | null;
}

export interface ContenderRun {
  readonly contender: ContenderName;
  readonly startedAt: number;
  /** End of the arrival period. */
  readonly endAt: number;
  readonly calls: readonly CallOutcome[];
  readonly upstream: readonly UpstreamRecord[];
  /** Largest lateness of an arrival timer, ms. */
  readonly maxTimerLagMs: number;
}

/** Small seeded PRNG (mulberry32), so every contender sees the same arrivals and runs repeat. */
export function seededRng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The simulator's metering in these settings. */
export function meteringOf(settings: RunSettings): Metering {
  return { limiter: settings.limiter, burst: settings.burst, windowMs: settings.scale.windowMs };
}

/** Length of the arrival period, ms. */
export function periodMs(settings: RunSettings): number {
  return settings.windows * settings.scale.windowMs;
}

/** Arrival offsets (ms): evenly spaced, or a Poisson process, at `loadPercent` of the true quota. */
export function arrivalOffsets(scenario: Scenario, settings: RunSettings): number[] {
  const period = periodMs(settings);
  const quota = quotaRequests(scenario, meteringOf(settings), period);
  const perMs = ((scenario.loadPercent / 100) * quota) / period;
  const offsets: number[] = [];
  if (settings.arrivals === "even") {
    const count = Math.round(perMs * period);
    for (let index = 0; index < count; index += 1) offsets.push((index + 0.5) / perMs);
    return offsets;
  }
  const rng = seededRng(settings.seed);
  let at = -Math.log(1 - rng()) / perMs;
  while (at < period && offsets.length < 200_000) {
    offsets.push(at);
    at += -Math.log(1 - rng()) / perMs;
  }
  return offsets;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

const isModelCall = (path: string): boolean =>
  path.endsWith("/chat/completions") || path.endsWith(":generateContent");

/** Runs one contender through a scenario on its own fresh simulator; closes both. */
export async function runContender(
  name: ContenderName,
  scenario: Scenario,
  settings: RunSettings,
  offsets: readonly number[],
): Promise<ContenderRun> {
  const sim = await startSimulator({
    ...simulatorLimits(scenario),
    limiter: settings.limiter,
    burst: settings.burst,
    windowMs: settings.scale.windowMs,
    countRejected: settings.countRejected,
    latencyMs: settings.latencyMs,
    requireKnownKeys: true,
    maxRecords: 500_000,
  });
  const redis =
    settings.redis === undefined
      ? undefined
      : {
          url: settings.redis.url,
          prefix: `${settings.redis.prefix}${scenario.name}:${settings.burst}:${name}:`,
        };
  const contender = await startContender(name, {
    scenario,
    sim,
    engine: settings.engine,
    naiveCooldownMs: settings.naiveCooldownMs,
    redis,
    rng: seededRng(settings.seed + 1),
  }).catch(async (error: unknown) => {
    await sim.close();
    throw error;
  });
  try {
    const startedAt = Date.now();
    const startedHr = performance.now();
    const pending: Array<Promise<CallOutcome>> = [];
    let maxTimerLagMs = 0;
    for (const [index, offsetMs] of offsets.entries()) {
      const wait = offsetMs - (performance.now() - startedHr);
      if (wait > 1) await sleep(wait);
      maxTimerLagMs = Math.max(maxTimerLagMs, performance.now() - startedHr - offsetMs);
      const sent = performance.now();
      pending.push(
        contender
          .call(index)
          .then((answer) => ({ ...answer, offsetMs, durationMs: performance.now() - sent })),
      );
    }
    const calls = await Promise.all(pending);
    const upstream = sim.requests
      .filter((record) => record.method === "POST" && isModelCall(record.path))
      .map((record) => ({
        key: record.key ?? "",
        status: record.status,
        at: record.at,
        charged: record.charged,
      }));
    return {
      contender: name,
      startedAt,
      endAt: startedAt + periodMs(settings),
      calls,
      upstream,
      maxTimerLagMs,
    };
  } finally {
    await contender.close();
    await sim.close();
  }
}

/** Runs every contender side by side, each on its own fresh simulator, with the same arrivals. */
export async function runScenario(
  scenario: Scenario,
  settings: RunSettings,
  contenders: readonly ContenderName[],
): Promise<{ offsets: number[]; runs: ContenderRun[]; loopDelayP99Ms: number }> {
  const offsets = arrivalOffsets(scenario, settings);
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  try {
    const runs = await Promise.all(contenders.map((name) => runContender(name, scenario, settings, offsets)));
    return { offsets, runs, loopDelayP99Ms: delay.percentile(99) / 1e6 };
  } finally {
    delay.disable();
  }
}
