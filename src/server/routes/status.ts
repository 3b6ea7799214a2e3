import type { FastifyInstance } from "fastify";
import type { Deployment } from "../../core/index.js";
import { healthTransitions } from "../../core/index.js";
import type { DeploymentHealth } from "../../types/index.js";
import type { GatewayServerOptions } from "../options.js";

function stateOf(health: Readonly<DeploymentHealth>, now: number): Record<string, unknown> {
  if (health.disabledReason !== null)
    return {
      status: "disabled",
      reason: health.disabledReason,
      since: new Date(health.disabledAt).toISOString(),
    };
  if (health.cooldownUntil > now) {
    return {
      status: "cooling",
      reason: health.cooldownReason,
      until: new Date(health.cooldownUntil).toISOString(),
      remainingMs: health.cooldownUntil - now,
    };
  }
  if (health.circuit === "open" && health.circuitOpenUntil > now) {
    return {
      status: "circuit_open",
      until: new Date(health.circuitOpenUntil).toISOString(),
      remainingMs: health.circuitOpenUntil - now,
    };
  }
  if (health.circuit !== "closed") return { status: "half_open" };
  return { status: "available" };
}

/**
 * `GET /status`: every group and deployment with its state, recent errors and learned limits. No
 * secrets: every configured one is masked by value in the whole page (base URLs with credentials,
 * upstream error texts that echo a key).
 */
export function registerStatusRoute(app: FastifyInstance, options: GatewayServerOptions): void {
  const { engine } = options;
  app.get("/status", async (_request, reply) => {
    const now = Date.now();
    const seen = new Map<string, Deployment>();
    for (const group of engine.groups())
      for (const d of group.deployments) if (!seen.has(d.id)) seen.set(d.id, d);
    const deployments = [...seen.values()].map((d) => {
      const health = engine.store.health(d.id);
      return {
        id: d.id,
        provider: d.provider,
        model: d.model,
        available: healthTransitions.isAvailable(health, now),
        state: stateOf(health, now),
        circuit: health.circuit,
        consecutiveFailures: health.consecutiveFailures,
        stats: options.counters?.(d.id) ?? null,
        learnedLimits: options.learnedLimits?.(d.id) ?? engine.store.quota(d.id),
      };
    });
    const page = {
      status: "ok",
      version: options.version,
      store: engine.store.status,
      groups: engine.groups().map((g) => ({
        name: g.name,
        strategy: g.strategy,
        tiers: g.tiers.map((tier) => tier.map((d) => ({ deployment: d.id, weight: d.weight }))),
      })),
      providers: options.providers,
      deployments,
    };
    return reply.type("application/json; charset=utf-8").send(app.llmuxRedactor.redact(JSON.stringify(page)));
  });
}
