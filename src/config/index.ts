/**
 * Gateway configuration: YAML (the llmux form or a MultiRouter-AI `providers.yaml`) with `${ENV}`
 * interpolation, validated and compiled once into a frozen routing plan. See README.md for the format.
 */
export type {
  ConfigIssue,
  GatewayConfig,
  LoadedConfig,
  LogFormat,
  RoutingConfig,
  RoutingStrategy,
  ServerConfig,
} from "./types.js";
export { ConfigError } from "./errors.js";
export { parseConfig } from "./parse.js";
export { loadConfigFile } from "./load.js";
export { defaultConfig } from "./defaults.js";
export { formatPlan } from "./format-plan.js";
export { formatSources, type VariableOrigin } from "./format-sources.js";
export { settingNames, type SettingName, type SettingOrigin, type SettingSources } from "./sources.js";
export { autoGroupNames } from "./compile-groups.js";
