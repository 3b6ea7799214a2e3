import { existsSync } from "node:fs";
import { ConfigError, loadConfigFile, type LoadedConfig } from "../config/index.js";

/** Files looked for in the working directory when neither `--config` nor `$LLMUX_CONFIG` names one. */
export const defaultConfigFiles = ["llmux.yaml", "llmux.yml", "providers.yaml", "providers.yml"] as const;

/** The config file to use: `--config`, `$LLMUX_CONFIG`, or the first default file that exists. */
export function findConfig(
  explicit: string | undefined,
  env: Record<string, string | undefined>,
): string | null {
  if (explicit) return explicit;
  if (env["LLMUX_CONFIG"]) return env["LLMUX_CONFIG"];
  return defaultConfigFiles.find((file) => existsSync(file)) ?? null;
}

/** The compiled config, or null after printing why it cannot be used (every problem, with file:line). */
export async function loadOrReport(
  file: string,
  env: Record<string, string | undefined>,
): Promise<LoadedConfig | null> {
  try {
    return await loadConfigFile(file, env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    return null;
  }
}
