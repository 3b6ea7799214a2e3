import type { FastifyInstance } from "fastify";
import type { Deployment } from "../../core/index.js";
import { canTakeRequests, deploymentState } from "../../core/index.js";
import type { DeploymentState } from "../../types/index.js";
import type { GatewayServerOptions } from "../options.js";

/** A deployment's state for the page: ISO times and how long is left. */
function stateOf(state: DeploymentState, now: number): Record<string, unknown> {
  switch (state.status) {
    case "disabled":
      return { status: state.status, reason: state.reason, since: new Date(state.since).toISOString() };
    case "cooling":
      return {
        status: state.status,
        reason: state.reason,
        until: new Date(state.until).toISOString(),
        remainingMs: state.until - now,
      };
    case "circuit_open":
      return {
        status: state.status,
        until: new Date(state.until).toISOString(),
        remainingMs: state.until - now,
      };
    case "half_open":
      return { status: state.status, probeInFlight: state.probeInFlight };
    case "available":
      return { status: state.status };
  }
}

/** The /status page as an object (the web dashboard's data carries the same one). Not yet redacted. */
export function statusPage(options: GatewayServerOptions, now: number): Record<string, unknown> {
  const { engine } = options;
  const seen = new Map<string, Deployment>();
  for (const group of engine.groups())
    for (const d of group.deployments) if (!seen.has(d.id)) seen.set(d.id, d);
  const deployments = [...seen.values()].map((d) => {
    const health = engine.store.health(d.id);
    const state = deploymentState(health, now);
    return {
      id: d.id,
      provider: d.provider,
      model: d.model,
      available: canTakeRequests(state),
      state: stateOf(state, now),
      circuit: health.circuit,
      consecutiveFailures: health.consecutiveFailures,
      stats: options.counters?.(d.id) ?? null,
      capacity: engine.capacity.view(d, now),
      limits: d.limits ?? null,
    };
  });
  return {
    status: "ok",
    version: options.version,
    config: options.configStatus?.() ?? null,
    store: engine.store.status,
    groups: engine.groups().map((g) => ({
      name: g.name,
      strategy: g.strategy,
      tiers: g.tiers.map((tier) => tier.map((d) => ({ deployment: d.id, weight: d.weight }))),
    })),
    providers: options.providers,
    deployments,
    ...(options.spend ? { spend: options.spend.status() } : {}),
  };
}

/**
 * `GET /status`: every group and deployment with its state, recent errors and learned limits, and
 * the config's hash and load time. No secrets: every configured one is masked by value in the whole
 * page (base URLs with credentials, upstream error texts that echo a key).
 */
export function registerStatusRoute(app: FastifyInstance, options: GatewayServerOptions): void {
  app.get("/status", async (_request, reply) => {
    const page = statusPage(options, Date.now());
    return reply.type("application/json; charset=utf-8").send(app.llmuxRedactor.redact(JSON.stringify(page)));
  });
}
