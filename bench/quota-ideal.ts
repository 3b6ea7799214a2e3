/**
 * The ceiling of `npm run bench:quota`: what a scheduler that knew every bucket exactly could serve of the
 * same arrivals, with the same wait for capacity — computed, not run. Every limit owner's bucket is pooled
 * into one (capacity and refill summed, in the binding unit), which no real scheduler can beat: keys are
 * separate buckets, and a unit left on one cannot serve a request on another. Requests are served in
 * arrival order as soon as the pool holds their cost, or refused at once when that would be later than
 * `maxWaitMs` after their arrival. Fixed windows have no ceiling here (null).
 */
import { periodMs, type RunSettings } from "./quota-load.js";
import { requestCost, trueQuota, type Scenario } from "./quota-scenarios.js";

export interface IdealResult {
  /** Requests the ideal scheduler would serve. */
  readonly served: number;
  /** Requests it would refuse (caller errors). */
  readonly refused: number;
  /** What it would have the provider admit during the arrival period, as % of the true quota. */
  readonly servedQuotaPct: number;
}

export function idealRun(
  scenario: Scenario,
  settings: RunSettings,
  offsets: readonly number[],
  maxWaitMs: number,
): IdealResult | null {
  if (settings.limiter !== "bucket") return null;
  const owners = [...scenario.keys.filter((key) => key.org === undefined), ...scenario.orgs];
  const limit = owners.reduce((sum, owner) => sum + (scenario.bind === "tokens" ? owner.tpm : owner.rpm), 0);
  const capacity = settings.burst * limit;
  const rate = limit / settings.scale.windowMs;
  const cost = scenario.bind === "tokens" ? requestCost(scenario.maxTokens) : 1;
  const period = periodMs(settings);
  let level = capacity;
  let at = 0;
  let served = 0;
  let used = 0;
  for (const arrival of offsets) {
    const start = Math.max(arrival, at);
    const available = Math.min(capacity, level + (start - at) * rate);
    const serveAt = available >= cost ? start : start + (cost - available) / rate;
    if (serveAt - arrival > maxWaitMs) continue;
    level = Math.min(capacity, level + (serveAt - at) * rate) - cost;
    at = serveAt;
    served += 1;
    if (serveAt <= period) used += cost;
  }
  const quota = trueQuota(
    scenario,
    { limiter: "bucket", burst: settings.burst, windowMs: settings.scale.windowMs },
    period,
  );
  return { served, refused: offsets.length - served, servedQuotaPct: quota === 0 ? 0 : (100 * used) / quota };
}
