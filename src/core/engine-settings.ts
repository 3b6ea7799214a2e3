import type { CircuitPolicy } from "../types/index.js";
import type { EngineOptions } from "./options.js";
import type { FailurePolicyOptions } from "./policy.js";

/**
 * How a setting is written in the config file: milliseconds (a number or a duration such as
 * `"30s"`), a whole number of at least `min`, or a fraction in [0, 1].
 */
export type SettingKind = { type: "duration" } | { type: "integer"; min: number } | { type: "fraction" };

/** One numeric engine setting: its name in the config file, how it is written, and its default. */
export interface EngineSetting {
  /** The snake_case key in the config file's `routing` section (or its `circuit` / `cooldown`). */
  readonly file: string;
  readonly kind: SettingKind;
  readonly default: number;
}

const duration = { type: "duration" } as const;
const atLeast = (min: number) => ({ type: "integer", min }) as const;

/** The engine options that are one number. */
export type ScalarEngineOption = {
  [K in keyof EngineOptions]-?: NonNullable<EngineOptions[K]> extends number ? K : never;
}[keyof EngineOptions];

/**
 * Every numeric engine option, once: the config schema (`routing.*`), the compiled config's types,
 * the CLI's engine options and the engine's defaults are all derived from this list. Adding an
 * option to `EngineOptions` without an entry here does not compile.
 */
export const engineSettings = {
  firstTokenTimeoutMs: { file: "first_token_timeout_ms", kind: duration, default: 60_000 },
  streamIdleTimeoutMs: { file: "stream_idle_timeout_ms", kind: duration, default: 30_000 },
  timeoutMs: { file: "timeout_ms", kind: duration, default: 600_000 },
  maxAttempts: { file: "max_attempts", kind: atLeast(1), default: 8 },
  maxWaitMs: { file: "max_wait_ms", kind: duration, default: 3_000 },
  maxQueue: { file: "max_queue", kind: atLeast(0), default: 1_000 },
  quotaStaleMs: { file: "quota_stale_ms", kind: duration, default: 60_000 },
  retrySameLimit: { file: "retry_same_limit", kind: atLeast(0), default: 1 },
  retrySameDelayMs: { file: "retry_same_delay_ms", kind: duration, default: 200 },
  finishGraceMs: { file: "finish_grace_ms", kind: duration, default: 1_000 },
  capacityWindowMs: { file: "capacity_window_ms", kind: duration, default: 60_000 },
  defaultOutputTokens: { file: "default_output_tokens", kind: atLeast(1), default: 256 },
  maxStreamRecoveries: { file: "max_stream_recoveries", kind: atLeast(0), default: 1 },
  sameTierWaitMs: { file: "same_tier_wait_ms", kind: duration, default: 3_000 },
} as const satisfies Record<ScalarEngineOption, EngineSetting>;

/** The circuit breaker's settings (`routing.circuit`). */
export const circuitSettings = {
  failureThreshold: { file: "failure_threshold", kind: atLeast(1), default: 3 },
  openMs: { file: "open_ms", kind: duration, default: 10_000 },
  maxOpenMs: { file: "max_open_ms", kind: duration, default: 300_000 },
  probeLeaseMs: { file: "probe_lease_ms", kind: duration, default: 30_000 },
} as const satisfies Record<keyof CircuitPolicy, EngineSetting>;

/** Cooldowns after failures (`routing.cooldown`). */
export const cooldownSettings = {
  backoffBaseMs: { file: "backoff_base_ms", kind: duration, default: 1_000 },
  backoffMaxMs: { file: "backoff_max_ms", kind: duration, default: 60_000 },
  backoffJitter: { file: "backoff_jitter", kind: { type: "fraction" }, default: 0.2 },
  quotaCooldownMs: { file: "quota_cooldown_ms", kind: duration, default: 3_600_000 },
  minCooldownMs: { file: "min_cooldown_ms", kind: duration, default: 10 },
} as const satisfies Record<keyof FailurePolicyOptions, EngineSetting>;

/** A table of settings. */
export type SettingTable = Readonly<Record<string, EngineSetting>>;

/** The values of a table, each optional (what a config sets). */
export type SettingValues<T extends SettingTable> = { -readonly [K in keyof T]?: number };

/** Every default of a table. */
export function settingDefaults<T extends SettingTable>(table: T): { -readonly [K in keyof T]: number } {
  const values: Record<string, number> = {};
  for (const name in table) values[name] = table[name]!.default;
  return values as { -readonly [K in keyof T]: number };
}

/** The defined values among `values` (copied), for options objects under `exactOptionalPropertyTypes`. */
export function definedSettings<T extends SettingTable>(
  table: T,
  values: Partial<Record<keyof T, number | undefined>> | undefined,
): SettingValues<T> {
  const out: Record<string, number> = {};
  if (values === undefined) return out as SettingValues<T>;
  for (const name in table) {
    const value = values[name];
    if (value !== undefined) out[name] = value;
  }
  return out as SettingValues<T>;
}
