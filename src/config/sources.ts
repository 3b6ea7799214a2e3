/**
 * The settings whose origin `llmux check` reports: each can come from the config file, an
 * environment variable (MultiRouter-AI's or llmux's) or the default.
 */
export const settingNames = [
  "server.host",
  "server.port",
  "server.auth.keys",
  "server.rate_limit.per_ip_rpm",
  "logging.level",
  "logging.format",
  "state.redis.url",
] as const;

/** One setting `llmux check` reports the origin of. */
export type SettingName = (typeof settingNames)[number];

/** Where a setting's value came from. */
export type SettingOrigin =
  /** A field of the config file (`line` is null when it has no place, e.g. it came from `${ENV}` in a list). */
  | { kind: "file"; file: string; line: number | null; field: string }
  /** An environment variable (from the process or a `.env` file: the CLI knows which). */
  | { kind: "env"; variable: string }
  /** Nothing set it. */
  | { kind: "default" };

/**
 * Every tracked setting and where its value came from; most have one origin, gateway keys may have
 * several (`server.auth.keys` or `API_KEY`, plus `LLMUX_API_KEYS`).
 */
export type SettingSources = Record<SettingName, readonly SettingOrigin[]>;
