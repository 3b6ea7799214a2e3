import { z } from "zod";
import { providerTypes } from "../types/index.js";
import {
  boolean,
  byteSize,
  durationMs,
  httpUrl,
  integer,
  nonNegativeNumber,
  number,
  optional,
  positiveNumber,
  strategy,
  strictObject,
  stringLike,
  text,
} from "./schema-fields.js";
import { cacheSchema, routesSchema, smartRoutingFields } from "./routing-schema.js";
import { circuitSettings, cooldownSettings, engineSettings } from "../core/engine-settings.js";
import { settingFields } from "./setting-fields.js";
import { budgetsSchema, keysSchema, priceSchema, pricingSchema } from "./spend-schema.js";

/*
 * The file format, section by section, as written in YAML (snake_case). Each section is checked on
 * its own so one broken section does not hide the problems of the others. README.md documents it.
 */

const serverSchema = strictObject({
  host: optional(text),
  port: optional(integer(0, 65_535)),
  body_limit: optional(byteSize),
  auth: optional(
    strictObject({
      /** A list, or one comma-separated string (so `keys: ${GATEWAY_KEYS}` works). */
      keys: optional(z.union([z.string(), z.array(z.string())])),
      public_status: optional(boolean),
      public_metrics: optional(boolean),
    }),
  ),
  rate_limit: optional(strictObject({ per_key_rpm: optional(integer(0)), per_ip_rpm: optional(integer(0)) })),
  shutdown_grace_ms: optional(durationMs),
  /** Deepest JSON nesting accepted in a request body. */
  max_json_depth: optional(integer(1)),
  /** Longest pause while a request body is arriving; 0 = none. */
  body_timeout_ms: optional(durationMs),
  /** Longest time to receive a whole request body; 0 = none. */
  request_read_timeout_ms: optional(durationMs),
  /** Protects `/admin/*` (virtual keys, spend reports); unset = no admin API. */
  admin_key: optional(z.string()),
});

const routingSchema = strictObject({
  strategy: optional(strategy),
  /** MultiRouter's name for `strategy`. */
  default_strategy: optional(strategy),
  /** MultiRouter: re-enable a failed instance after this many seconds. */
  retry_after_seconds: optional(nonNegativeNumber),
  // timeouts, attempts, waits, queue, windows: one list in core/engine-settings.ts
  ...settingFields(engineSettings),
  circuit: optional(strictObject(settingFields(circuitSettings))),
  cooldown: optional(strictObject(settingFields(cooldownSettings))),
  // affinity, metadata_in_body, intent_headers: routing-schema.ts
  ...smartRoutingFields,
});

/** Limits and per-deployment settings a provider may default and a deployment may set. */
const deploymentSettings = {
  rpm: optional(integer(1)),
  tpm: optional(integer(1)),
  rpd: optional(integer(1)),
  context_window: optional(integer(1)),
  first_token_timeout_ms: optional(durationMs),
  stream_idle_timeout_ms: optional(durationMs),
  include_usage: optional(boolean),
  /**
   * Mid-stream recovery: continue with an assistant prefill (`true`), regenerate the whole answer
   * and splice (`false`), or prefill until a 400 says it is refused (`auto`, the default).
   */
  prefill: optional(z.union([boolean, z.literal("auto")])),
  /** USD per 1M tokens, instead of the bundled price table. */
  price: optional(priceSchema),
};

const providerSchema = strictObject({
  id: text.regex(/^[^/\s]+$/, { message: 'must not contain "/" or spaces' }),
  type: z.enum(providerTypes),
  api_key: optional(z.string()),
  base_url: optional(httpUrl),
  headers: optional(z.record(z.string(), stringLike)),
  models: optional(z.array(text)),
  /** Lower first; providers without one come after those with one, in file order. */
  priority: optional(number),
  /** Azure OpenAI only. */
  api_version: optional(text),
  /** Azure OpenAI only: model → deployment name. */
  deployments: optional(z.record(z.string(), text)),
  /**
   * Providers (keys) that draw on one limit upstream (Groq, Cerebras, Anthropic: per organisation):
   * the same name on several of them makes their deployments of a model share one learned bucket.
   */
  quota_group: optional(text),
  /**
   * Anthropic only: when the upstream refuses a beta of a passed-through `anthropic-beta` header,
   * drop it and send again (Anthropic-compatible endpoints that know fewer betas).
   */
  drop_unsupported_betas: optional(boolean),
  ...deploymentSettings,
});

const deploymentShorthand = z
  .string()
  .regex(/^[^/\s]+\/\S/, { message: 'expected "<provider id>/<model>", e.g. "openai-1/gpt-4.1"' });

const deploymentObject = strictObject({
  provider: text,
  model: text,
  weight: optional(positiveNumber),
  ...deploymentSettings,
});

const deploymentRef = z.union([deploymentShorthand, deploymentObject]);

const groupSchema = z.preprocess(
  (value) => value ?? {},
  strictObject({
    strategy: optional(strategy),
    /** More names clients may ask for this group by (Claude Code's `claude-…` model names, …). */
    aliases: optional(z.array(text)),
    deployments: optional(z.array(deploymentRef)),
    /** Each entry is one more tier: a deployment, or a list of deployments sharing the tier. */
    fallbacks: optional(z.array(z.union([deploymentRef, z.array(deploymentRef)]))),
    tiers: optional(z.array(z.array(deploymentRef))),
    /** Response cache for this group (default: `cache.enabled`). */
    cache: optional(boolean),
    /** Hedge a late first token by starting the next deployment in parallel (default true). */
    hedge: optional(boolean),
    /** Hedge after this long instead of p95 × 2 of the deployment's observed time to first token. */
    hedge_after_ms: optional(durationMs),
  }),
);

const stateSchema = strictObject({
  redis: optional(
    strictObject({
      url: optional(z.string()),
      prefix: optional(text),
    }),
  ),
  /** The SQLite file of virtual keys and spend (default `llmux-spend.db` in the working directory). */
  spend_db: optional(text),
});

/** Log levels pino knows. */
export const logLevels = ["trace", "debug", "info", "warn", "error", "fatal", "silent"] as const;

/** How log lines are written: JSON lines, or human-readable (pino-pretty). */
export const logFormats = ["json", "pretty"] as const;

const loggingSchema = strictObject({
  level: optional(z.enum(logLevels)),
  format: optional(z.enum(logFormats)),
  /** Never implemented; accepted so old files still load, and ignored with a warning. */
  bodies: optional(z.unknown()),
});

/** Every top-level section and its schema. */
export const sectionSchemas = {
  server: optional(serverSchema),
  routing: optional(routingSchema),
  providers: optional(z.array(providerSchema)),
  models: optional(z.record(z.string(), groupSchema)),
  state: optional(stateSchema),
  logging: optional(loggingSchema),
  cache: optional(cacheSchema),
  routes: optional(routesSchema),
  pricing: optional(pricingSchema),
  budgets: optional(budgetsSchema),
  keys: optional(keysSchema),
};

export type RawServer = z.output<typeof serverSchema>;
export type RawRouting = z.output<typeof routingSchema>;
export type RawProvider = z.output<typeof providerSchema>;
export type RawDeployment = z.output<typeof deploymentRef>;
export type RawDeploymentObject = z.output<typeof deploymentObject>;
export type RawGroup = z.output<typeof groupSchema>;
export type RawState = z.output<typeof stateSchema>;
export type RawLogging = z.output<typeof loggingSchema>;

/** The validated file, section by section (absent sections are undefined). */
export interface RawConfig {
  server?: RawServer | undefined;
  routing?: RawRouting | undefined;
  providers?: RawProvider[] | undefined;
  models?: Record<string, RawGroup> | undefined;
  state?: RawState | undefined;
  logging?: RawLogging | undefined;
  cache?: z.output<typeof cacheSchema> | undefined;
  routes?: z.output<typeof routesSchema> | undefined;
  pricing?: z.output<typeof pricingSchema> | undefined;
  budgets?: z.output<typeof budgetsSchema> | undefined;
  keys?: z.output<typeof keysSchema> | undefined;
}
