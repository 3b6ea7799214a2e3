import { safeUrl } from "./format-plan.js";
import type { SettingName, SettingOrigin, SettingSources } from "./sources.js";
import { settingNames } from "./sources.js";
import type { GatewayConfig } from "./types.js";

/** Names where an environment variable was read from: "environment" or ".env" (the CLI knows). */
export type VariableOrigin = (variable: string) => string;

function valueOf(config: GatewayConfig, name: SettingName): string {
  const { server, logging, state } = config;
  switch (name) {
    case "server.host":
      return server.host;
    case "server.port":
      return String(server.port);
    case "server.auth.keys": {
      const count = server.auth.keys.length;
      return count === 0 ? "none (open)" : `${count} key${count === 1 ? "" : "s"}`;
    }
    case "server.rate_limit.per_ip_rpm":
      return server.rateLimit.perIpRpm === null ? "unlimited" : `${server.rateLimit.perIpRpm}/min`;
    case "logging.level":
      return logging.level;
    case "logging.format":
      return logging.format;
    case "state.redis.url":
      return state.redis ? safeUrl(state.redis.url) : "in-memory";
  }
}

function originText(origin: SettingOrigin, variableOrigin: VariableOrigin): string {
  switch (origin.kind) {
    case "file":
      return origin.line === null ? origin.file : `${origin.file}:${origin.line}`;
    case "env":
      return `${origin.variable} (${variableOrigin(origin.variable)})`;
    case "default":
      return "default";
  }
}

/**
 * The "where each setting came from" table of `llmux check`: setting, value (secrets hidden: gateway
 * keys are counted, URL passwords masked) and origin — `file:line`, `VARIABLE (environment)` /
 * `VARIABLE (.env)`, or `default`.
 */
export function formatSources(
  config: GatewayConfig,
  sources: SettingSources,
  variableOrigin: VariableOrigin = () => "environment",
): string {
  const rows = settingNames.map((name) => [
    name,
    valueOf(config, name),
    sources[name].map((origin) => originText(origin, variableOrigin)).join(" + "),
  ]);
  const width = (column: number) => Math.max(...rows.map((row) => row[column]?.length ?? 0));
  const lines = rows.map(
    ([name = "", value = "", origin = ""]) =>
      `  ${name.padEnd(width(0))}  ${value.padEnd(width(1))}  ${origin}`,
  );
  return ["Where the settings come from:", ...lines].join("\n");
}
