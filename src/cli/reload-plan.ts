import type { Dispatcher } from "undici";
import type { GatewayConfig } from "../config/index.js";
import { createTargets, groupsFromSpecs, type Engine } from "../core/index.js";
import type { ProviderInstanceSpec, Target } from "../types/index.js";

/** A provider instance's target and the settings it was built from (to tell whether a reload changed it). */
interface LiveTarget {
  readonly fingerprint: string;
  readonly target: Target;
}

/** What a reload changed in the plan. */
export interface PlanChange {
  /** Deployments new in the plan. */
  added: string[];
  /** Deployments no longer in the plan (their in-flight requests finish; nothing new is sent to them). */
  removed: string[];
  /** Deployments kept whose provider instance changed (key, base URL, headers…): a fresh target, and enabled again if a bad key had disabled them. */
  changed: string[];
  /** Deployments kept as they were, with their state (cooldowns, circuit, learned capacity, stats). */
  kept: string[];
  /** Settings that changed but only take effect at a restart (the listener, shared state, logging, routing options…). */
  restartNeeded: string[];
}

function fingerprintOf(provider: ProviderInstanceSpec): string {
  return JSON.stringify(provider);
}

function deploymentIds(config: GatewayConfig): Set<string> {
  const ids = new Set<string>();
  for (const group of config.groups) for (const d of group.deployments) ids.add(d.id);
  return ids;
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/** Sections and settings a running gateway cannot swap: they are read once at start. */
function restartNeeded(previous: GatewayConfig, next: GatewayConfig): string[] {
  const { auth: _previousAuth, ...previousServer } = previous.server;
  const { auth: _nextAuth, ...nextServer } = next.server;
  const out: string[] = [];
  for (const [name, a, b] of [
    ["server (listener, limits)", previousServer, nextServer],
    [
      "server.auth.public_status / public_metrics",
      previous.server.auth.publicStatus,
      next.server.auth.publicStatus,
    ],
    ["server.auth.public_metrics", previous.server.auth.publicMetrics, next.server.auth.publicMetrics],
    ["routing (engine options)", previous.routing, next.routing],
    ["state", previous.state, next.state],
    ["logging", previous.logging, next.logging],
    ["cache / routes / routing rules", previous.smart ?? null, next.smart ?? null],
    ["spend (pricing, budgets, keys)", previous.spend, next.spend],
  ] as const)
    if (!same(a, b)) out.push(name);
  return [...new Set(out)];
}

/**
 * The swappable part of a running gateway: the engine's plan and the provider targets behind it.
 * `swap` builds the next plan from a validated config and replaces the engine's groups in one step:
 * a request already running keeps the group (and deployments, and targets) it started with, so
 * in-flight requests and streams finish on their plan; new requests see the new one. Deployment
 * state is keyed by deployment id, so a deployment kept by the reload keeps its cooldown, circuit,
 * learned capacity and stats; a removed one drains (its requests in flight finish) and is then
 * forgotten by the dashboard. Unchanged provider instances keep their target object.
 */
export class LivePlan {
  #config: GatewayConfig;
  #targets = new Map<string, LiveTarget>();

  constructor(
    readonly engine: Engine,
    readonly dispatcher: Dispatcher,
    config: GatewayConfig,
  ) {
    this.#config = config;
    this.#targets = this.#build(config.providers);
    engine.setGroups(groupsFromSpecs(config.groups, this.#targetMap()));
  }

  /** The config the plan was built from last. */
  get config(): GatewayConfig {
    return this.#config;
  }

  #targetMap(): Map<string, Target> {
    return new Map([...this.#targets].map(([id, live]) => [id, live.target]));
  }

  /** Targets for `providers`, reusing the current one of every instance whose settings are unchanged. */
  #build(providers: readonly ProviderInstanceSpec[]): Map<string, LiveTarget> {
    const fresh: ProviderInstanceSpec[] = [];
    const next = new Map<string, LiveTarget>();
    for (const provider of providers) {
      const fingerprint = fingerprintOf(provider);
      const current = this.#targets.get(provider.id);
      if (current && current.fingerprint === fingerprint) next.set(provider.id, current);
      else fresh.push(provider);
    }
    // Built before anything is swapped: a provider that cannot be built leaves the old plan in place.
    const built = createTargets(fresh, this.dispatcher);
    for (const provider of fresh) {
      const target = built.get(provider.id);
      if (target) next.set(provider.id, { fingerprint: fingerprintOf(provider), target });
    }
    return next;
  }

  /** Swaps in the plan of `next` (already validated); throws, changing nothing, when a target cannot be built. */
  swap(next: GatewayConfig): PlanChange {
    const previous = this.#config;
    const targets = this.#build(next.providers);
    const before = deploymentIds(previous);
    const after = deploymentIds(next);
    const providerOf = new Map<string, string>();
    for (const group of next.groups) for (const d of group.deployments) providerOf.set(d.id, d.providerId);
    const change: PlanChange = { added: [], removed: [], changed: [], kept: [], restartNeeded: [] };
    for (const id of after) {
      if (!before.has(id)) change.added.push(id);
      else {
        const provider = providerOf.get(id) ?? "";
        if (targets.get(provider) === this.#targets.get(provider)) change.kept.push(id);
        else change.changed.push(id);
      }
    }
    for (const id of before) if (!after.has(id)) change.removed.push(id);
    const groups = groupsFromSpecs(next.groups, new Map([...targets].map(([id, live]) => [id, live.target])));
    // The swap: one assignment in the engine; everything above only built the next plan.
    this.engine.setGroups(groups);
    this.#targets = targets;
    this.#config = next;
    // A changed provider instance (a fixed key) starts again: a deployment its old key disabled is enabled.
    for (const id of change.changed)
      if (this.engine.store.health(id).disabledReason !== null) this.engine.store.enable(id);
    change.restartNeeded = restartNeeded(previous, next);
    return change;
  }
}
