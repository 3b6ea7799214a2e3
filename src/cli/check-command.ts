import { formatPlan, formatSources } from "../config/index.js";
import { SecretRedactor } from "../errors/index.js";
import { textOption, type OptionValues } from "./args.js";
import { findConfig, loadOrReport } from "./config-file.js";
import type { CliEnvironment } from "./env-file.js";
import { exitCodes } from "./exit-codes.js";
import { unservableReason } from "./servable.js";

/**
 * `llmux check`: validates the config, prints its warnings, the routing plan and where each main
 * setting came from (file:line, an environment variable or `.env`, or the default). Exits 2 when
 * `serve` would refuse the config.
 */
export async function runCheck(values: OptionValues, environment: CliEnvironment): Promise<number> {
  const file = findConfig(textOption(values, "config"), environment.env);
  if (!file) {
    process.stderr.write(
      "llmux check: no config file: pass --config FILE, set LLMUX_CONFIG, or create llmux.yaml\n",
    );
    return exitCodes.usage;
  }
  const loaded = await loadOrReport(file, environment.env);
  if (!loaded) return exitCodes.usage;
  const redactor = SecretRedactor.fromConfig(loaded.config);
  for (const warning of loaded.warnings) process.stdout.write(`warning: ${redactor.redact(warning)}\n`);
  const origin = (variable: string) => (environment.fromFile.has(variable) ? ".env" : "environment");
  const reason = unservableReason(loaded.config);
  const verdict = reason === null ? "OK" : "cannot be served";
  process.stdout.write(
    `${file}: ${verdict}\n\n${formatPlan(loaded.config)}\n\n${formatSources(loaded.config, loaded.sources, origin)}\n`,
  );
  if (reason === null) return exitCodes.ok;
  process.stderr.write(`llmux check: ${file}: ${reason}\n`);
  return exitCodes.usage;
}
