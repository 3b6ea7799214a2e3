import { Counter, Gauge, type Registry } from "prom-client";
import type { GatewayConfig } from "../config/index.js";
import type { Engine } from "../core/index.js";
import { defaultSmartRouting } from "../core/routing/index.js";
import { SmartRouting, type SmartRedisClient } from "./cache-routing.js";

/** The smart routing of a running gateway and what closing it takes. */
export interface OpenedSmartRouting {
  smart: SmartRouting;
  close(): Promise<void>;
}

/** A Redis client for the cache and the affinity table: fail fast (a miss), never queue while Redis is away. */
async function redisClient(url: string): Promise<SmartRedisClient & { quit(): Promise<unknown> }> {
  const { Redis } = await import("ioredis");
  const client = new Redis(url, {
    enableOfflineQueue: false,
    commandTimeout: 250,
    maxRetriesPerRequest: 1,
    retryStrategy: (times) => Math.min(2_000, 100 * times),
  });
  client.on("error", () => {});
  return client;
}

/** Cache counters in `/metrics`: hits, misses, bypasses, stores, bytes stored and served, size. */
function registerCacheMetrics(registry: Registry, smart: SmartRouting): void {
  const total = (
    name: string,
    help: string,
    read: (t: NonNullable<ReturnType<SmartRouting["totals"]>>) => number,
  ) =>
    new Counter({
      name: `llmux_cache_${name}`,
      help,
      registers: [registry],
      collect() {
        const totals = smart.totals();
        this.reset();
        if (totals) this.inc(read(totals));
      },
    });
  total("hits_total", "Chat answers served from the response cache.", (t) => t.hits);
  total("misses_total", "Cacheable chat requests not found in the response cache.", (t) => t.misses);
  total("bypasses_total", "Chat requests that opted out of the response cache.", (t) => t.bypasses);
  total("stores_total", "Answers stored in the response cache.", (t) => t.stores);
  total("stored_bytes_total", "Bytes written to the response cache.", (t) => t.bytesStored);
  total("served_bytes_total", "Bytes answered from the response cache.", (t) => t.bytesServed);
  new Gauge({
    name: "llmux_cache_entries",
    help: "Entries held by the in-memory response cache.",
    registers: [registry],
    collect() {
      this.set(smart.totals()?.entries ?? 0);
    },
  });
  new Gauge({
    name: "llmux_cache_bytes",
    help: "Bytes held by the in-memory response cache.",
    registers: [registry],
    collect() {
      this.set(smart.totals()?.bytes ?? 0);
    },
  });
}

/**
 * Latency priors in `/metrics`: p50/p95/p99 of each deployment's latency and time to first token over
 * the priors' window (30 min), read at scrape time.
 */
function registerLatencyMetrics(registry: Registry, engine: Engine): void {
  new Gauge({
    name: "llmux_latency_prior_seconds",
    help: "Per-deployment latency and time to first token over the priors window (least-latency reads p95).",
    labelNames: ["deployment", "metric", "quantile"],
    registers: [registry],
    collect() {
      this.reset();
      const now = Date.now();
      for (const id of engine.latency.deployments()) {
        const summary = engine.latency.summary(id, now);
        for (const metric of ["latency", "ttft"] as const) {
          const values = summary[metric];
          if (values === null) continue;
          this.set({ deployment: id, metric, quantile: "0.5" }, values.p50 / 1000);
          this.set({ deployment: id, metric, quantile: "0.95" }, values.p95 / 1000);
          this.set({ deployment: id, metric, quantile: "0.99" }, values.p99 / 1000);
        }
      }
    },
  });
}

/**
 * Builds the gateway's smart routing from the config: its cache and affinity table on Redis when the
 * state is (own connection, same prefix), else in memory; cache metrics on `registry`.
 */
export async function openSmartRouting(
  config: GatewayConfig,
  engine: Engine,
  registry: Registry | null,
): Promise<OpenedSmartRouting> {
  const settings = config.smart ?? defaultSmartRouting;
  const redisConfig = config.state.redis;
  const needsRedis =
    redisConfig !== null &&
    (settings.affinity.enabled ||
      settings.cache.enabled ||
      Object.values(settings.groupCache).includes(true));
  const client = needsRedis ? await redisClient(redisConfig.url) : null;
  const smart = new SmartRouting({
    settings,
    redis: client && redisConfig ? { client, prefix: redisConfig.prefix } : undefined,
    hasChoice: (group) => {
      const found = engine.group(group);
      return found === undefined || found.tiers.some((tier) => tier.length > 1);
    },
  });
  if (registry && smart.cache) registerCacheMetrics(registry, smart);
  if (registry) registerLatencyMetrics(registry, engine);
  return {
    smart,
    close: async () => {
      await smart.close();
      await client?.quit().catch(() => {});
    },
  };
}
