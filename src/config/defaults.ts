import { noSpendConfig } from "./compile-spend.js";
import type { GatewayConfig } from "./types.js";

/** 32 MiB: room for a few base64 images in one chat request. */
export const defaultBodyLimitBytes = 32 * 1024 * 1024;

/** Key prefix of shared state in Redis. */
export const defaultRedisPrefix = "llmux:";

/** Azure OpenAI `api-version` used when a provider does not set one. */
export const defaultAzureApiVersion = "2024-10-21";

/** Gateway keys from `LLMUX_API_KEYS` (comma-separated; blanks ignored). */
export function envGatewayKeys(env: Record<string, string | undefined>): string[] {
  return (env["LLMUX_API_KEYS"] ?? "")
    .split(",")
    .map((key) => key.trim())
    .filter((key) => key !== "");
}

/**
 * The configuration used without a file: every default, no providers and no groups (the CLI fills
 * them for the demo). Reads `LLMUX_API_KEYS` (gateway keys) and `REDIS_URL` (shared state) from `env`.
 */
export function defaultConfig(env: Record<string, string | undefined>): GatewayConfig {
  const redisUrl = env["REDIS_URL"];
  return {
    server: {
      host: "127.0.0.1",
      port: 4000,
      bodyLimitBytes: defaultBodyLimitBytes,
      auth: { keys: envGatewayKeys(env), publicStatus: false, publicMetrics: false },
      rateLimit: { perKeyRpm: null, perIpRpm: null },
      shutdownGraceMs: 10_000,
      maxJsonDepth: 128,
      bodyTimeoutMs: 30_000,
      requestReadTimeoutMs: 60_000,
    },
    routing: { strategy: "weighted" },
    providers: [],
    groups: [],
    state: { redis: redisUrl ? { url: redisUrl, prefix: defaultRedisPrefix } : null },
    logging: { level: "info", format: "json" },
    spend: noSpendConfig(),
  };
}
