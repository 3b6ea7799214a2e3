/** The bars of issue 10, one small predicate each over a run's metrics. */
import type { RunMetrics } from "./quota-metrics.js";

export interface Bar {
  readonly text: string;
  /** The metric the bar looks at, as printed. */
  readonly value: (metrics: RunMetrics) => string;
  readonly met: (metrics: RunMetrics) => boolean;
}

const pct = (value: number | null): string => (value === null ? "–" : `${value.toFixed(1)}%`);

/** Every request served. */
export function servedAllRequests(): Bar {
  return {
    text: "100% of requests served",
    value: (m) => pct(m.servedPct),
    met: (m) => m.served === m.offered,
  };
}

/** At least `percent` of the true combined quota served. */
export function servedQuotaAtLeast(percent: number): Bar {
  return {
    text: `served ≥ ${percent}% of the quota`,
    value: (m) => pct(m.servedQuotaPct),
    met: (m) => m.servedQuotaPct >= percent,
  };
}

/** No caller-visible error. */
export function noCallerErrors(): Bar {
  return {
    text: "0 caller errors",
    value: (m) => String(m.callerErrors),
    met: (m) => m.callerErrors === 0,
  };
}

/** Caller errors at most `percent` of the requests. */
export function callerErrorsAtMost(percent: number): Bar {
  return {
    text: `caller errors ≤ ${percent}%`,
    value: (m) => pct(m.callerErrorsPct),
    met: (m) => m.callerErrorsPct <= percent,
  };
}

/** Upstream 429s at most `percent` of the requests sent by the callers. */
export function upstream429AtMost(percent: number): Bar {
  return {
    text: `upstream 429s ≤ ${percent}%`,
    value: (m) => `${m.upstream429Pct.toFixed(2)}%`,
    met: (m) => m.upstream429Pct <= percent,
  };
}

/** The excess is answered 429 (no other error), every one with Retry-After, p99 under `ms`. */
export function excessAnsweredFast(ms: number): Bar {
  return {
    text: `excess: 429 + Retry-After, p99 < ${ms} ms`,
    value: (m) =>
      `${m.callerOther} other, ${pct(m.excessWithRetryAfterPct)} R-A, ${m.excessP99Ms === null ? "–" : m.excessP99Ms.toFixed(0)} ms`,
    met: (m) =>
      m.callerOther === 0 &&
      (m.excess === 0 || (m.excessWithRetryAfterPct === 100 && (m.excessP99Ms ?? Infinity) < ms)),
  };
}
