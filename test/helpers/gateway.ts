import type { FastifyInstance } from "fastify";
import {
  createTargets,
  createUpstreamAgent,
  Engine,
  groupsFromSpecs,
  type EngineOptions,
} from "../../src/core/index.js";
import { createGatewayServer, type GatewayServerOptions, type ServerLogger } from "../../src/server/index.js";
import { StatsCollector } from "../../src/observability/index.js";
import type { DeploymentSpec, GroupSpec, ProviderInstanceSpec, ProviderType } from "../../src/types/index.js";

/** A provider instance spec for tests. */
export function provider(
  id: string,
  baseUrl: string,
  apiKey: string,
  type: ProviderType = "openai-compatible",
  models: string[] = [],
): ProviderInstanceSpec {
  return { id, type, apiKey, baseUrl, headers: {}, models, azure: null };
}

/** A deployment spec for tests. */
export function spec(providerId: string, model: string, extra: Partial<DeploymentSpec> = {}): DeploymentSpec {
  return {
    id: `${providerId}/${model}`,
    providerId,
    model,
    weight: 1,
    tier: 0,
    rpm: null,
    tpm: null,
    rpd: null,
    contextWindow: null,
    firstTokenTimeoutMs: null,
    streamIdleTimeoutMs: null,
    includeUsage: true,
    ...extra,
  };
}

/** Collected log lines. */
export class MemoryLogger implements ServerLogger {
  readonly lines: Array<{ level: string; object: Record<string, unknown>; message: string | undefined }> = [];
  info(object: object, message?: string): void {
    this.lines.push({ level: "info", object: object as Record<string, unknown>, message });
  }
  warn(object: object, message?: string): void {
    this.lines.push({ level: "warn", object: object as Record<string, unknown>, message });
  }
  error(object: object, message?: string): void {
    this.lines.push({ level: "error", object: object as Record<string, unknown>, message });
  }
}

/** A gateway (not listening) over the given providers and groups. */
export function gatewayFor(
  providers: ProviderInstanceSpec[],
  groups: GroupSpec[],
  options: { engine?: EngineOptions; server?: Partial<GatewayServerOptions> } = {},
): { app: FastifyInstance; engine: Engine; logger: MemoryLogger; close: () => Promise<void> } {
  const dispatcher = createUpstreamAgent({ keepAliveTimeout: 10_000 });
  const engine = new Engine({ maxWaitMs: 0, ...options.engine });
  engine.setGroups(groupsFromSpecs(groups, createTargets(providers, dispatcher)));
  const stats = new StatsCollector();
  engine.events.on(stats.listener);
  const logger = new MemoryLogger();
  const app = createGatewayServer({
    engine,
    bodyLimitBytes: 1024 * 1024,
    auth: { keys: [], publicStatus: false, publicMetrics: false },
    rateLimit: { perKeyRpm: null, perIpRpm: null },
    providers: providers.map((p) => ({ id: p.id, type: p.type, baseUrl: p.baseUrl ?? "", models: p.models })),
    metrics: null,
    logger,
    counters: (id) => stats.counters(id),
    version: "test",
    ...options.server,
  });
  return {
    app,
    engine,
    logger,
    close: async () => {
      await app.close();
      await dispatcher.close();
    },
  };
}
