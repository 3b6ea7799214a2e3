import type { AddressInfo } from "node:net";
import type { GatewayConfig } from "../config/index.js";
import {
  createUpstreamAgent,
  deploymentState,
  Engine,
  type Deployment,
  type EngineOptions,
} from "../core/index.js";
import { SecretRedactor } from "../errors/index.js";
import {
  createLogger,
  DashboardCollector,
  GatewayMetrics,
  StatsCollector,
  type Logger,
} from "../observability/index.js";
import { presetOf } from "../providers/presets.js";
import { createGatewayServer, type ConfigStatus } from "../server/index.js";
import { dashboardSpendFrom } from "../server/routes/ui-data.js";
import { openSpend } from "../server/spend-setup.js";
import { openSmartRouting } from "../server/cache-setup.js";
import { createRedisStateStore, type RedisStateStore } from "../state/index.js";
import type { EngineEvent } from "../types/index.js";
import { disablePretenuring } from "./heap-tuning.js";
import { LivePlan, type PlanChange } from "./reload-plan.js";
import { reloadMetrics } from "./reload-metrics.js";
import { closeAtGraceEnd } from "./shutdown.js";
import { packageVersion } from "./version.js";

/** A running gateway. */
export interface RunningGateway {
  url: string;
  port: number;
  engine: Engine;
  /**
   * Swaps in a validated config (hot reload): the new plan, gateway keys and admin key; requests in
   * flight finish on the plan they started with. Throws, changing nothing, when the plan cannot be built.
   */
  reload(config: GatewayConfig): PlanChange;
  /** Counts a reload's result in /metrics (`llmux_config_reloads_total`). */
  countReload(result: "success" | "failure", at: number): void;
  /** Stops accepting, lets in-flight requests finish within `graceMs`, then closes everything. */
  close(graceMs?: number): Promise<void>;
}

/** Engine options from the config's `routing` section. */
export function engineOptionsOf(config: GatewayConfig): EngineOptions {
  const { strategy, circuit, cooldown, ...settings } = config.routing;
  return {
    ...settings,
    strategy,
    ...(circuit ? { circuit } : {}),
    ...(cooldown ? { failure: cooldown } : {}),
  };
}

/**
 * The shared Redis store when the config names one (`state.redis` or `REDIS_URL`), waiting briefly
 * for its first status; Redis being down is not fatal: the node serves on local state and says so
 * once in the log (and in /metrics and /status), then resyncs when Redis returns.
 */
async function openStore(
  config: GatewayConfig,
  logger: Logger,
  onConnected: (up: boolean) => void,
): Promise<RedisStateStore | null> {
  const redis = config.state.redis;
  if (!redis) return null;
  const store = createRedisStateStore({
    url: redis.url,
    prefix: redis.prefix,
    onStatusChange: (status, detail) => {
      onConnected(status === "connected");
      if (status === "connected") logger.info({ store: "redis", detail }, "shared state: connected to Redis");
      else
        logger.warn(
          { store: "redis", detail },
          "shared state: Redis unreachable, serving on local state until it returns",
        );
    },
  });
  await store.ready();
  return store;
}

/**
 * Wires a gateway from a compiled config: one pooled undici dispatcher, a target per provider
 * instance, the engine, metrics/stats/log subscribers, and the HTTP server; then listens.
 */
export async function startGateway(
  config: GatewayConfig,
  options: {
    logger?: Logger;
    /** The fast writer of the one line per request (see `RequestLineWriter`). */
    requestLog?: ((fields: Record<string, unknown>) => void) | undefined;
    port?: number;
    host?: string;
    engine?: EngineOptions;
    /** The config's hash, load time and reloads, for /status and the dashboard. */
    configStatus?: () => ConfigStatus | null;
  } = {},
): Promise<RunningGateway> {
  // Before the first request: per-request objects must not be born in the old generation.
  disablePretenuring();
  // Every configured secret is masked by value in what the gateway sends and logs.
  const redactor = SecretRedactor.fromConfig(config);
  const logger = options.logger ?? createLogger({ level: config.logging.level, redactor });
  // Pooled keep-alive upstream connections; none left idle by aborted streams.
  const dispatcher = createUpstreamAgent();
  let metricsRef: GatewayMetrics | null = null;
  const store = await openStore(config, logger, (up) => metricsRef?.setRedisConnected(up));
  // `least-cost` ranks by the spend control's prices (bound once spend is open, below).
  let blendedPrice: (deploymentId: string) => number | null = () => null;
  const engine = new Engine({
    ...engineOptionsOf(config),
    priceOf: (deployment) => blendedPrice(deployment.id),
    ...options.engine,
    ...(store ? { store } : {}),
  });
  const plan = new LivePlan(engine, dispatcher, config);
  const deployments = () => {
    const now = Date.now();
    const seen = new Map<string, { deploymentId: string; provider: string; model: string }>();
    for (const group of engine.groups())
      for (const d of group.deployments)
        seen.set(d.id, { deploymentId: d.id, provider: d.provider, model: d.model });
    return [...seen.values()].map((d) => ({
      ...d,
      state: deploymentState(engine.store.health(d.deploymentId), now),
    }));
  };
  const learnedCapacity = () => {
    const now = Date.now();
    const seen = new Map<string, Deployment>();
    for (const group of engine.groups()) for (const d of group.deployments) seen.set(d.id, d);
    return [...seen.values()].map((d) => {
      const view = engine.capacity.view(d, now);
      return { deploymentId: d.id, provider: d.provider, model: d.model, ...view };
    });
  };
  const metrics = new GatewayMetrics({ deploymentStates: deployments, learnedCapacity });
  metricsRef = metrics;
  if (store) metrics.setRedisConnected(store.status === "connected");
  const stats = new StatsCollector();
  engine.events.on(metrics.listener);
  engine.events.on(stats.listener);
  engine.events.on((event: EngineEvent) => {
    if (event.type === "cooldown" || event.type === "circuit" || event.type === "disabled")
      logger.warn({ event }, event.type);
  });
  const smart = await openSmartRouting(config, engine, metrics.registry);
  const spend = await openSpend(config, engine, metrics.registry, (error) =>
    logger.warn({ err: String(error) }, "spend database write failed"),
  );
  redactor.extend(spend.secrets);
  blendedPrice = (deploymentId) => spend.control.blendedPrice(deploymentId);
  const reloads = reloadMetrics(metrics.registry);
  const providerInfo = (next: GatewayConfig) =>
    next.providers.map((p) => ({
      id: p.id,
      type: p.type,
      baseUrl: p.baseUrl ?? presetOf(p.type).baseUrl ?? "",
      models: p.models,
    }));
  // Replaced in place on a reload (the server reads the array).
  const providers = providerInfo(config);
  const dashboard = new DashboardCollector();
  const app = createGatewayServer({
    engine,
    smartRouting: smart.smart,
    bodyLimitBytes: config.server.bodyLimitBytes,
    maxJsonDepth: config.server.maxJsonDepth,
    bodyTimeoutMs: config.server.bodyTimeoutMs,
    requestReadTimeoutMs: config.server.requestReadTimeoutMs,
    redactor,
    auth: config.server.auth,
    rateLimit: config.server.rateLimit,
    providers,
    metrics,
    logger,
    requestLog: options.requestLog,
    counters: (id) => stats.counters(id),
    version: packageVersion(),
    configStatus: options.configStatus,
    dashboard: {
      collector: dashboard,
      adminKey: config.spend.adminKey,
      // The ledger when there is one (spend over 30 days, every node); else this process's totals.
      spend: spend.service ? dashboardSpendFrom(spend.service) : () => spend.control.dashboardSpend(),
    },
    spend: spend.control,
    admin: spend.admin,
  });
  // A deep accept queue: thousands of clients may connect at once (long-lived streams).
  try {
    await app.listen({
      port: options.port ?? config.server.port,
      host: options.host ?? config.server.host,
      backlog: 4096,
    });
  } catch (error) {
    // Cannot listen (port in use…): release what was opened (a Redis connection would keep the process alive).
    await app.close().catch(() => {});
    await dispatcher.close().catch(() => {});
    await engine.store.close().catch(() => {});
    await smart.close();
    await spend.close();
    throw error;
  }
  const address = app.server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    port: address.port,
    engine,
    reload: (next) => {
      // New secrets are masked before anything can use them.
      redactor.extend(SecretRedactor.fromConfig(next));
      const change = plan.swap(next);
      spend.control.setPlan(next.providers, next.groups);
      app.llmuxKeys.replace(next.server.auth.keys);
      app.llmuxUi.replace([...next.server.auth.keys, next.spend.adminKey ?? ""]);
      providers.splice(0, providers.length, ...providerInfo(next));
      return change;
    },
    countReload: (result, at) => reloads.count(result, at),
    close: async (graceMs = config.server.shutdownGraceMs) => {
      // Idle keep-alive sockets (including ones a client opened but never used) are closed as they
      // appear; in-flight requests get `graceMs` to finish, then streams still open are ended with
      // an in-band error event (and logged) and every connection is closed.
      const idle = setInterval(() => app.server.closeIdleConnections(), 100);
      const force = setTimeout(() => void closeAtGraceEnd(app, graceMs), graceMs);
      idle.unref();
      force.unref();
      await app.close();
      clearInterval(idle);
      clearTimeout(force);
      await dispatcher.close().catch(() => {});
      await engine.store.close().catch(() => {});
      await smart.close();
      await spend.close();
    },
  };
}
