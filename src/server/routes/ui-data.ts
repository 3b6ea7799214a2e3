import type { Deployment, Engine } from "../../core/index.js";
import type { DashboardCollector } from "../../observability/index.js";
import type { GatewayServerOptions } from "../options.js";
import type { DashboardServerOptions, DashboardSpend } from "./ui-options.js";
import { statusPage } from "./status.js";

/** Every deployment of the plan, once. */
function planDeployments(engine: Engine): Map<string, Deployment> {
  const seen = new Map<string, Deployment>();
  for (const group of engine.groups())
    for (const d of group.deployments) if (!seen.has(d.id)) seen.set(d.id, d);
  return seen;
}

/** Used / size of one budget, or null when either is unknown. */
function share(used: number | null, size: number | null | undefined): number | null {
  return used === null || size === null || size === undefined || size <= 0 ? null : used / size;
}

/**
 * How much of a deployment's capacity is in use now (0–1), the tightest of its budgets: the
 * configured windows (rpm, tpm, rpd) and the learned buckets (requests, tokens); null when none is known.
 */
export function quotaUse(engine: Engine, deployment: Deployment, now: number): number | null {
  const view = engine.capacity.view(deployment, now);
  const shares: Array<number | null> = [];
  for (const dimension of [view.requests, view.tokens])
    if (dimension.capacity !== null && dimension.remaining !== null)
      shares.push(share(dimension.capacity - dimension.remaining, dimension.capacity));
  const limits = deployment.limits;
  if (limits && (limits.rpm !== null || limits.tpm !== null || limits.rpd !== null)) {
    const used = engine.store.usage(deployment.id, now, engine.options.capacityWindowMs);
    shares.push(share(used.requests, limits.rpm), share(used.tokens, limits.tpm));
    shares.push(share(used.requestsToday, limits.rpd));
  }
  const known = shares.filter((value): value is number => value !== null);
  return known.length === 0 ? null : Math.min(1, Math.max(0, Math.max(...known)));
}

/** What is left now of each configured limit (rpm, tpm, rpd); null for unlimited ones. */
function configuredLeft(
  engine: Engine,
  deployment: Deployment,
  now: number,
): Record<string, number | null> | null {
  const limits = deployment.limits;
  if (!limits || (limits.rpm === null && limits.tpm === null && limits.rpd === null)) return null;
  const used = engine.store.usage(deployment.id, now, engine.options.capacityWindowMs);
  const left = (size: number | null, taken: number): number | null =>
    size === null ? null : Math.max(0, Math.floor(size - taken));
  return {
    rpm: left(limits.rpm, used.requests),
    tpm: left(limits.tpm, used.tokens),
    rpd: left(limits.rpd, used.requestsToday),
  };
}

/**
 * Samples quota use into the charts: each deployment of the plan, and each group as the mean of its
 * deployments that know theirs. Also forgets groups and deployments the plan dropped (a reload)
 * once their last attempt ended.
 */
export function sampleQuota(engine: Engine, collector: DashboardCollector, now: number): void {
  const deployments = planDeployments(engine);
  const uses = new Map<string, number | null>();
  for (const [id, deployment] of deployments) {
    const used = quotaUse(engine, deployment, now);
    uses.set(id, used);
    if (used !== null) collector.recordQuota("deployment", id, used, now);
  }
  const groups = new Set<string>();
  for (const group of engine.groups()) {
    groups.add(group.name);
    const known = group.deployments
      .map((d) => uses.get(d.id) ?? null)
      .filter((value): value is number => value !== null);
    if (known.length > 0)
      collector.recordQuota("group", group.name, known.reduce((a, b) => a + b, 0) / known.length, now);
  }
  collector.retain(groups, new Set(deployments.keys()));
}

/** Spend per key and group, when spend control is wired; null when not, or when it cannot be read now. */
async function spendOf(dashboard: DashboardServerOptions): Promise<DashboardSpend | null> {
  if (!dashboard.spend) return null;
  try {
    return await dashboard.spend();
  } catch {
    return null;
  }
}

/**
 * The dashboard's data: the /status page (the same object), plus what only the dashboard shows —
 * per group and deployment the 15-minute series (or the buckets from `since` on), in-flight attempts,
 * errors by kind, failovers and recoveries, what is left of configured limits, recent errors,
 * deployments still draining after a reload, and spend when spend control is wired. Not yet redacted.
 */
export async function dashboardData(
  options: GatewayServerOptions,
  dashboard: DashboardServerOptions,
  collector: DashboardCollector,
  now: number,
  since: number | undefined,
): Promise<Record<string, unknown>> {
  const { engine } = options;
  sampleQuota(engine, collector, now);
  const deployments = planDeployments(engine);
  const configured: Record<string, Record<string, number | null>> = {};
  for (const [id, deployment] of deployments) {
    const left = configuredLeft(engine, deployment, now);
    if (left) configured[id] = left;
  }
  return {
    now,
    status: statusPage(options, now),
    configuredLeft: configured,
    activity: collector.snapshot(now, since),
    draining: collector.draining(new Set(deployments.keys())),
    spend: await spendOf(dashboard),
  };
}

/** What the dashboard needs of spend control (`SpendService.report`). */
export interface SpendReporter {
  report(
    by: "key" | "group",
    since: number,
  ): Promise<ReadonlyArray<{ name: string; keyName: string | null; usd: number }>>;
}

/**
 * The dashboard's spend section from spend control: spend per key (by name) and per group since
 * `windowMs` ago (default: the last 30 days). Pass it as `dashboard.spend` once spend is wired.
 */
export function dashboardSpendFrom(
  reporter: SpendReporter,
  windowMs = 30 * 24 * 60 * 60 * 1000,
  now: () => number = Date.now,
): () => Promise<DashboardSpend> {
  return async () => {
    const since = now() - windowMs;
    const [keys, groups] = await Promise.all([
      reporter.report("key", since),
      reporter.report("group", since),
    ]);
    return {
      keys: keys.map((row) => ({ name: row.keyName ?? row.name, usd: row.usd })),
      groups: groups.map((row) => ({ name: row.name, usd: row.usd })),
    };
  };
}
