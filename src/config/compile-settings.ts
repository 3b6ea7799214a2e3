import { unsetAt, type CompileContext } from "./context.js";
import { defaultConfig, defaultRedisPrefix } from "./defaults.js";
import type { RawConfig, RawRouting, RawServer, RawState } from "./schema.js";
import type { GatewayConfig, RoutingConfig, RoutingStrategy, ServerConfig } from "./types.js";

/** `exhaust` (MultiRouter) is `priority`. */
export function strategyOf(name: "weighted" | "priority" | "round-robin" | "exhaust"): RoutingStrategy {
  return name === "exhaust" ? "priority" : name;
}

/** Copies the defined entries only (`exactOptionalPropertyTypes`: absent, never `undefined`). */
function defined<T extends Record<string, number | undefined>>(entries: T): { [K in keyof T]?: number } {
  const out: { [K in keyof T]?: number } = {};
  for (const [key, value] of Object.entries(entries) as [keyof T, number | undefined][]) {
    if (value !== undefined) out[key] = value;
  }
  return out;
}

function gatewayKeys(raw: RawServer["auth"], context: CompileContext, fromEnv: string[]): string[] {
  const written = raw?.keys;
  if (written === undefined && unsetAt(context, ["server", "auth", "keys"]).length > 0) {
    context.warnings.push({
      path: ["server", "auth", "keys"],
      message: "empty: no gateway keys from this field",
    });
  }
  const list = typeof written === "string" ? written.split(",") : (written ?? []);
  const keys: string[] = [];
  list.forEach((key, index) => {
    if (key.trim() !== "") keys.push(key.trim());
    else if (Array.isArray(written)) {
      context.warnings.push({ path: ["server", "auth", "keys", index], message: "empty key ignored" });
    }
  });
  return [...new Set([...keys, ...fromEnv])];
}

function compileServer(
  raw: RawServer | undefined,
  base: ServerConfig,
  context: CompileContext,
): ServerConfig {
  const server: ServerConfig = {
    host: raw?.host ?? base.host,
    maxJsonDepth: raw?.max_json_depth ?? base.maxJsonDepth,
    bodyTimeoutMs: raw?.body_timeout_ms ?? base.bodyTimeoutMs,
    requestReadTimeoutMs: raw?.request_read_timeout_ms ?? base.requestReadTimeoutMs,
    port: raw?.port ?? base.port,
    bodyLimitBytes: raw?.body_limit ?? base.bodyLimitBytes,
    auth: {
      keys: gatewayKeys(raw?.auth, context, base.auth.keys),
      publicStatus: raw?.auth?.public_status ?? base.auth.publicStatus,
      publicMetrics: raw?.auth?.public_metrics ?? base.auth.publicMetrics,
    },
    rateLimit: {
      perKeyRpm: raw?.rate_limit?.per_key_rpm || null,
      perIpRpm: raw?.rate_limit?.per_ip_rpm || null,
    },
    shutdownGraceMs: raw?.shutdown_grace_ms ?? base.shutdownGraceMs,
  };
  const loopback = ["127.0.0.1", "localhost", "::1"].includes(server.host);
  if (server.auth.keys.length === 0 && !loopback) {
    context.warnings.push({
      path: ["server", "host"],
      message: `no gateway keys (server.auth.keys or LLMUX_API_KEYS) while listening on ${server.host}: anyone who can reach the gateway can spend your provider keys`,
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
    ...defined({
      firstTokenTimeoutMs: raw?.first_token_timeout_ms,
      streamIdleTimeoutMs: raw?.stream_idle_timeout_ms,
      timeoutMs: raw?.timeout_ms,
      maxAttempts: raw?.max_attempts,
      maxWaitMs: raw?.max_wait_ms,
      maxQueue: raw?.max_queue,
      capacityWindowMs: raw?.capacity_window_ms,
    }),
  };
  const circuit = defined({
    failureThreshold: raw?.circuit?.failure_threshold,
    openMs: raw?.circuit?.open_ms,
    maxOpenMs: raw?.circuit?.max_open_ms,
  });
  if (Object.keys(circuit).length > 0) routing.circuit = circuit;
  const retryAfterMs =
    raw?.retry_after_seconds === undefined ? undefined : Math.round(raw.retry_after_seconds * 1000);
  const cooldown = defined({
    backoffBaseMs: raw?.cooldown?.backoff_base_ms ?? retryAfterMs,
    backoffMaxMs: raw?.cooldown?.backoff_max_ms ?? retryAfterMs,
    quotaCooldownMs: raw?.cooldown?.quota_cooldown_ms,
  });
  if (Object.keys(cooldown).length > 0) routing.cooldown = cooldown;
  return routing;
}

function isRedisUrl(url: string): boolean {
  return /^(redis|rediss)(-sentinel|-cluster)?:\/\/./.test(url);
}

function compileState(raw: RawState | undefined, context: CompileContext): GatewayConfig["state"] {
  const written = raw?.redis?.url;
  const url = written ?? context.env["REDIS_URL"] ?? "";
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

/** Compiles `server`, `routing`, `state` and `logging` over the defaults (and `LLMUX_API_KEYS`, `REDIS_URL`). */
export function compileSettings(
  raw: RawConfig,
  context: CompileContext,
): Pick<GatewayConfig, "server" | "routing" | "state" | "logging"> {
  const base = defaultConfig(context.env);
  return {
    server: compileServer(raw.server, base.server, context),
    routing: compileRouting(raw.routing, context),
    state: compileState(raw.state, context),
    logging: {
      level: raw.logging?.level ?? base.logging.level,
      bodies: raw.logging?.bodies ?? base.logging.bodies,
    },
  };
}
