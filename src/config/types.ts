import type {
  circuitSettings,
  cooldownSettings,
  engineSettings,
  SettingValues,
} from "../core/engine-settings.js";
import type { SmartRoutingSettings } from "../core/routing/index.js";
import type { GroupSpec, ProviderInstanceSpec } from "../types/index.js";
import type { SettingSources } from "./sources.js";
import type { GatewaySpendConfig } from "./spend-types.js";

/** How log lines are written: JSON lines (for log collectors) or human-readable (pino-pretty). */
export type LogFormat = "json" | "pretty";

/** How a group picks among the available deployments of a tier. */
export type RoutingStrategy = "weighted" | "priority" | "round-robin" | "least-latency" | "least-cost";

/** The HTTP side of the gateway. */
export interface ServerConfig {
  /** Interface to listen on. Default `127.0.0.1`. */
  host: string;
  /** Port to listen on. Default 4000. */
  port: number;
  /** Largest accepted request body in bytes. Default 32 MiB (room for images). */
  bodyLimitBytes: number;
  /**
   * Gateway keys clients must present (`Authorization: Bearer …` or `x-api-key`); empty = no auth.
   * `publicStatus` / `publicMetrics` open `/status` and `/metrics` without a key.
   */
  auth: { keys: string[]; publicStatus: boolean; publicMetrics: boolean };
  /** Requests per minute per gateway key and per client IP; null = unlimited. */
  rateLimit: { perKeyRpm: number | null; perIpRpm: number | null };
  /** How long in-flight requests may finish after a shutdown signal. Default 10 s. */
  shutdownGraceMs: number;
  /** Deepest JSON nesting accepted in a request body (deeper: 400). Default 128. */
  maxJsonDepth: number;
  /** Longest pause in a request body before a 408; 0 = none. Default 30 s. */
  bodyTimeoutMs: number;
  /** Longest time to receive a whole request body before a 408; 0 = none. Default 60 s. */
  requestReadTimeoutMs: number;
}

/** Engine options; an absent field means the engine's default. */
export type RoutingConfig = {
  /** Default strategy of groups that do not set one. Default `weighted`. */
  strategy: RoutingStrategy;
  circuit?: SettingValues<typeof circuitSettings>;
  cooldown?: SettingValues<typeof cooldownSettings>;
} & SettingValues<typeof engineSettings>;

/** A compiled gateway configuration: the frozen plan `llmux serve` runs. */
export interface GatewayConfig {
  server: ServerConfig;
  routing: RoutingConfig;
  /** Usable provider instances only (a key is set, or the type needs none), in priority order. */
  providers: ProviderInstanceSpec[];
  /** Explicit groups first (file order), then automatic per-model groups, then the `*-auto` groups. */
  groups: GroupSpec[];
  /** Shared deployment state; null = in-memory. */
  state: { redis: { url: string; prefix: string } | null };
  /** `level`: pino's; `format`: JSON lines or human-readable. */
  logging: { level: string; format: LogFormat };
  /** Prices, budgets, virtual keys and the admin key (`pricing`, `budgets`, `keys`, `server.admin_key`). */
  spend: GatewaySpendConfig;
  /** Response cache, route rules, intent headers, prompt-cache affinity (`cache`, `routes`, `routing.*`). */
  smart?: SmartRoutingSettings;
}

/** The result of loading a config: the plan, what was skipped or suspicious, and where it came from. */
export interface LoadedConfig {
  config: GatewayConfig;
  /** Human-readable notes (skipped instances, dropped deployments…); never hold secrets. */
  warnings: string[];
  /** The file the config was read from; null when it did not come from a file. */
  file: string | null;
  /** Where the main settings came from: the file (with line), an environment variable, or the default. */
  sources: SettingSources;
}

/** One problem found in a config file. */
export interface ConfigIssue {
  file: string;
  /** 1-based line, when the problem has a place in the file. */
  line: number | null;
  /** 1-based column, when the problem has a place in the file. */
  column: number | null;
  /** Field path such as `providers[2].type` or `models.smart.tiers[0][1].provider`; "" for the file. */
  path: string;
  message: string;
}
