import type { CompileContext } from "./context.js";
import { defaultConfig, defaultRedisPrefix } from "./defaults.js";
import {
  gatewayKeysSetting,
  hostSetting,
  loggingSetting,
  perIpRpmSetting,
  portSetting,
} from "./env-settings.js";
import { circuitSettings, cooldownSettings, engineSettings } from "../core/engine-settings.js";
import { settingValues } from "./setting-fields.js";
import type { RawConfig, RawRouting, RawServer, RawState } from "./schema.js";
import type { GatewayConfig, RoutingConfig, RoutingStrategy, ServerConfig } from "./types.js";

/** `exhaust` (MultiRouter) is `priority`. */
export function strategyOf(name: RoutingStrategy | "exhaust"): RoutingStrategy {
  return name === "exhaust" ? "priority" : name;
}

function compileServer(
  raw: RawServer | undefined,
  base: ServerConfig,
  context: CompileContext,
): ServerConfig {
  const server: ServerConfig = {
    host: hostSetting(raw, base.host, context),
    port: portSetting(raw, base.port, context),
    bodyLimitBytes: raw?.body_limit ?? base.bodyLimitBytes,
    auth: {
      keys: gatewayKeysSetting(raw?.auth, context),
      publicStatus: raw?.auth?.public_status ?? base.auth.publicStatus,
      publicMetrics: raw?.auth?.public_metrics ?? base.auth.publicMetrics,
    },
    rateLimit: {
      perKeyRpm: raw?.rate_limit?.per_key_rpm || null,
      perIpRpm: perIpRpmSetting(raw, context),
    },
    shutdownGraceMs: raw?.shutdown_grace_ms ?? base.shutdownGraceMs,
    maxJsonDepth: raw?.max_json_depth ?? base.maxJsonDepth,
    bodyTimeoutMs: raw?.body_timeout_ms ?? base.bodyTimeoutMs,
    requestReadTimeoutMs: raw?.request_read_timeout_ms ?? base.requestReadTimeoutMs,
  };
  const loopback = ["127.0.0.1", "localhost", "::1"].includes(server.host);
  if (server.auth.keys.length === 0 && !loopback) {
    context.warnings.push({
      path: ["server", "host"],
      message: `no gateway keys (server.auth.keys, API_KEY or LLMUX_API_KEYS) while listening on ${server.host}: anyone who can reach the gateway can spend your provider keys`,
    });
  }
  return server;
}

function compileRouting(raw: RawRouting | undefined, context: CompileContext): RoutingConfig {
  if (
    raw?.strategy !== undefined &&
    raw.default_strategy !== undefined &&
    raw.strategy !== raw.default_strategy
  ) {
    context.issues.push({
      path: ["routing", "default_strategy"],
      message: "conflicts with routing.strategy; set only one of them",
    });
  }
  const routing: RoutingConfig = {
    strategy: strategyOf(raw?.strategy ?? raw?.default_strategy ?? "weighted"),
    ...settingValues(engineSettings, raw),
  };
  const circuit = settingValues(circuitSettings, raw?.circuit);
  if (Object.keys(circuit).length > 0) routing.circuit = circuit;
  const retryAfterMs =
    raw?.retry_after_seconds === undefined ? undefined : Math.round(raw.retry_after_seconds * 1000);
  const cooldown = settingValues(cooldownSettings, raw?.cooldown);
  if (retryAfterMs !== undefined) {
    cooldown.backoffBaseMs ??= retryAfterMs;
    cooldown.backoffMaxMs ??= retryAfterMs;
  }
  if (Object.keys(cooldown).length > 0) routing.cooldown = cooldown;
  return routing;
}

function isRedisUrl(url: string): boolean {
  return /^(redis|rediss)(-sentinel|-cluster)?:\/\/./.test(url);
}

function compileState(raw: RawState | undefined, context: CompileContext): GatewayConfig["state"] {
  const written = raw?.redis?.url;
  const url = written ?? context.env["REDIS_URL"] ?? "";
  const origin =
    written !== undefined
      ? ({ kind: "file", path: ["state", "redis", "url"] } as const)
      : ({ kind: "env", variable: "REDIS_URL" } as const);
  context.origins.set("state.redis.url", [url === "" ? { kind: "default" } : origin]);
  if (url === "") {
    if (raw?.redis) {
      context.warnings.push({
        path: ["state", "redis", "url"],
        message: "no Redis URL: using in-memory state",
      });
    }
    return { redis: null };
  }
  if (!isRedisUrl(url)) {
    const subject = written === undefined ? "REDIS_URL from the environment " : "";
    context.issues.push({
      path: ["state", "redis", "url"],
      message: `${subject}must be a redis://, rediss://, redis-sentinel:// or redis-cluster:// URL`,
    });
  }
  return { redis: { url, prefix: raw?.redis?.prefix ?? defaultRedisPrefix } };
}

/**
 * Compiles `server`, `routing`, `state` and `logging` over the defaults and the environment
 * (`PORT`, `API_KEY`, `LLMUX_API_KEYS`, `RATE_LIMIT_MAX`, `LOG_LEVEL`, `NODE_ENV`, `REDIS_URL`; the
 * file wins where both set a value).
 */
export function compileSettings(
  raw: RawConfig,
  context: CompileContext,
): Pick<GatewayConfig, "server" | "routing" | "state" | "logging"> {
  const base = defaultConfig(context.env);
  return {
    server: compileServer(raw.server, base.server, context),
    routing: compileRouting(raw.routing, context),
    state: compileState(raw.state, context),
    logging: loggingSetting(raw.logging, base.logging, context),
  };
}
