/** What `npm run bench:quota` measures of one contender's run. */
import { meteringOf, periodMs, type ContenderRun, type RunSettings } from "./quota-load.js";
import { trueQuota, type Scenario } from "./quota-scenarios.js";

export interface RunMetrics {
  /** Requests the callers sent. */
  offered: number;
  /** Answered 2xx to the caller. */
  served: number;
  /** `served` as % of `offered`. */
  servedPct: number;
  /** The true combined quota over the arrival period, in the binding unit (requests or tokens). */
  quota: number;
  /** What the simulator admitted (2xx) during the arrival period, in the same unit. */
  used: number;
  /** `used` as % of `quota`. */
  servedQuotaPct: number;
  /** Caller-visible errors (any non-2xx, or no answer). */
  callerErrors: number;
  callerErrorsPct: number;
  /** Caller errors other than 429. */
  callerOther: number;
  /** E.g. `429×12 502×1` (status 0: no answer). */
  callerErrorsByStatus: string;
  upstreamRequests: number;
  upstream429: number;
  /** Upstream 429s as % of the requests the callers sent. */
  upstream429Pct: number;
  /** Caller 429s (the excess over capacity). */
  excess: number;
  /** Share of the caller 429s carrying Retry-After. */
  excessWithRetryAfterPct: number | null;
  /** Time to answer a caller 429, p99. */
  excessP99Ms: number | null;
  /** Time to answer a served request, p50 and p99. */
  servedP50Ms: number | null;
  servedP99Ms: number | null;
}

/** The `p`-th percentile (0–100) by nearest rank; null when empty. */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length) - 1;
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank))] ?? null;
}

const ok = (status: number): boolean => status >= 200 && status < 300;
const share = (part: number, whole: number): number => (whole === 0 ? 0 : (100 * part) / whole);

function byStatus(statuses: readonly number[]): string {
  const counts = new Map<number, number>();
  for (const status of statuses) counts.set(status, (counts.get(status) ?? 0) + 1);
  return [...counts]
    .sort(([a], [b]) => a - b)
    .map(([status, count]) => `${status}×${count}`)
    .join(" ");
}

export function measure(run: ContenderRun, scenario: Scenario, settings: RunSettings): RunMetrics {
  const offered = run.calls.length;
  const served = run.calls.filter((call) => ok(call.status));
  const errors = run.calls.filter((call) => !ok(call.status));
  const excess = errors.filter((call) => call.status === 429);
  const admitted = run.upstream.filter(
    (record) => ok(record.status) && record.at >= run.startedAt && record.at <= run.endAt,
  );
  const used = admitted.reduce(
    (sum, record) => sum + (scenario.bind === "tokens" ? (record.charged ?? 0) : 1),
    0,
  );
  const quota = trueQuota(scenario, meteringOf(settings), periodMs(settings));
  const upstream429 = run.upstream.filter((record) => record.status === 429).length;
  return {
    offered,
    served: served.length,
    servedPct: share(served.length, offered),
    quota,
    used,
    servedQuotaPct: share(used, quota),
    callerErrors: errors.length,
    callerErrorsPct: share(errors.length, offered),
    callerOther: errors.length - excess.length,
    callerErrorsByStatus: byStatus(errors.map((call) => call.status)),
    upstreamRequests: run.upstream.length,
    upstream429,
    upstream429Pct: share(upstream429, offered),
    excess: excess.length,
    excessWithRetryAfterPct:
      excess.length === 0 ? null : share(excess.filter((call) => call.retryAfter).length, excess.length),
    excessP99Ms: percentile(
      excess.map((call) => call.durationMs),
      99,
    ),
    servedP50Ms: percentile(
      served.map((call) => call.durationMs),
      50,
    ),
    servedP99Ms: percentile(
      served.map((call) => call.durationMs),
      99,
    ),
  };
}
