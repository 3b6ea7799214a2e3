/**
 * The time scale of `npm run bench:quota`: providers' 60 s limit windows are scaled down (to 4 s by
 * default, ×1/15) so a scenario spans many windows in a minute, and every time-like setting of the
 * contenders is scaled by the same factor — what llmux does by default with 60 s windows is what it does
 * here with 4 s ones. Counts (requests, tokens) are not scaled.
 *
 * Add any new time-like engine option (learning half-lives, probe intervals, …) to {@link scaledEngineOptions}.
 */
import { defaultAimdPolicy } from "../src/core/capacity/index.js";
import type { EngineOptions } from "../src/core/index.js";

/** The provider window being scaled: one minute. */
export const PROVIDER_WINDOW_MS = 60_000;

/** A time scale: `factor` = scaled / real. */
export interface TimeScale {
  /** The scaled length of a 60 s limit window. */
  readonly windowMs: number;
  readonly factor: number;
}

export function timeScale(windowMs: number): TimeScale {
  return { windowMs, factor: windowMs / PROVIDER_WINDOW_MS };
}

/** llmux's engine defaults that are times, real values (src/core/options.ts). */
const ENGINE_TIMES = {
  maxWaitMs: 3_000,
  quotaStaleMs: 60_000,
  capacityWindowMs: 60_000,
  retrySameDelayMs: 200,
  backoffBaseMs: 1_000,
  backoffMaxMs: 60_000,
  quotaCooldownMs: 3_600_000,
  openMs: 10_000,
  maxOpenMs: 300_000,
  probeLeaseMs: 30_000,
} as const;

/** The naive baseline's fixed cooldown after a 429 (upstash: 60 s). */
export const NAIVE_COOLDOWN_MS = 60_000;

const scaled = (scale: TimeScale, ms: number): number => Math.max(1, Math.round(ms * scale.factor));

/**
 * llmux's engine defaults with every time scaled: the wait for capacity, how long a provider's report
 * stays fresh, the window of configured limits, retry pauses, cooldowns and circuit times. Timeouts for a
 * slow upstream are not scaled (upstream latency is not either).
 */
export function scaledEngineOptions(scale: TimeScale, maxWaitMs?: number): EngineOptions {
  const t = ENGINE_TIMES;
  return {
    maxWaitMs: maxWaitMs ?? scaled(scale, t.maxWaitMs),
    quotaStaleMs: scaled(scale, t.quotaStaleMs),
    capacityWindowMs: scaled(scale, t.capacityWindowMs),
    retrySameDelayMs: scaled(scale, t.retrySameDelayMs),
    failure: {
      backoffBaseMs: scaled(scale, t.backoffBaseMs),
      backoffMaxMs: scaled(scale, t.backoffMaxMs),
      quotaCooldownMs: scaled(scale, t.quotaCooldownMs),
    },
    circuit: {
      openMs: scaled(scale, t.openMs),
      maxOpenMs: scaled(scale, t.maxOpenMs),
      probeLeaseMs: scaled(scale, t.probeLeaseMs),
    },
    learned: scaledLearnedOptions(scale),
  };
}

/** The learned capacity's defaults (src/core/capacity), times scaled; its rates (per ms) scaled inversely. */
function scaledLearnedOptions(scale: TimeScale): NonNullable<EngineOptions["learned"]> {
  const aimd = defaultAimdPolicy;
  return {
    staleMs: scaled(scale, 300_000),
    historyMs: scaled(scale, 600_000),
    slowStartRetryMs: scaled(scale, 250),
    inFlightExpiryMs: scaled(scale, 600_000),
    windowsMs: [1_000, 60_000, 3_600_000, 86_400_000].map((ms) => scaled(scale, ms)),
    minuteMs: scaled(scale, 60_000),
    aimd: {
      initialRate: aimd.initialRate / scale.factor,
      burstMs: scaled(scale, aimd.burstMs),
      // Shares added per second: per scaled second, as many times more.
      increase: aimd.increase / scale.factor,
      slowStartIncrease: aimd.slowStartIncrease / scale.factor,
    },
  };
}

/** The naive baseline's cooldown, scaled. */
export function scaledNaiveCooldownMs(scale: TimeScale): number {
  return scaled(scale, NAIVE_COOLDOWN_MS);
}

/** One line per setting: `maxWaitMs 200 ms (3 s)`. */
export function describeScale(scale: TimeScale, engine: EngineOptions, latencyMs: number): string[] {
  const real = (ms: number): string => (ms >= 1000 ? `${+(ms / 1000).toFixed(1)} s` : `${ms} ms`);
  const pair = (name: string, value: number | undefined, base: number): string =>
    `${name} ${value ?? "?"} ms (${real(base)})`;
  const t = ENGINE_TIMES;
  return [
    `time scaled ×${scale.factor.toFixed(4)} (1/${Math.round(1 / scale.factor)}): a provider's 60 s limit window is ${scale.windowMs} ms here; counts are not scaled`,
    `llmux engine times scaled alike: ${[
      pair("maxWaitMs", engine.maxWaitMs, t.maxWaitMs),
      pair("quotaStaleMs", engine.quotaStaleMs, t.quotaStaleMs),
      pair("capacityWindowMs", engine.capacityWindowMs, t.capacityWindowMs),
      pair("backoff", engine.failure?.backoffBaseMs, t.backoffBaseMs),
      `…${engine.failure?.backoffMaxMs ?? "?"} ms (60 s)`,
      pair("circuit open", engine.circuit?.openMs, t.openMs),
    ].join(", ")}`,
    `naive cooldown ${scaledNaiveCooldownMs(scale)} ms (its fixed 60 s); upstream latency ${latencyMs} ms (≈ ${real(latencyMs / scale.factor)} at provider scale)`,
    `Retry-After is whole seconds, rounded up, as providers send it (1 s = ${Math.round(1 / scale.factor)} s at provider scale); OpenAI-wire 429s also carry the exact retry-after-ms, Gemini's RetryInfo is exact`,
  ];
}
