import { formatPlan, formatSources, type GatewayConfig } from "../config/index.js";
import { loadPricing } from "../core/spend/index.js";
import { describePrice, describePriceSource } from "../providers/pricing/index.js";
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
  const prices = await formatPrices(loaded.config);
  process.stdout.write(
    `${file}: ${verdict}\n\n${formatPlan(loaded.config)}\n\n${prices}\n\n${formatSources(loaded.config, loaded.sources, origin)}\n`,
  );
  if (reason === null) return exitCodes.ok;
  process.stderr.write(`llmux check: ${file}: ${reason}\n`);
  return exitCodes.usage;
}

/**
 * Each deployment's price (USD per 1M tokens) and where it came from, or that it has none and what
 * to set; a `pricing.file` that cannot be read is reported in place of the list.
 */
export async function formatPrices(config: GatewayConfig): Promise<string> {
  let pricing;
  try {
    pricing = await loadPricing({ file: config.spend.pricingFile });
  } catch (error) {
    return `Prices: cannot read pricing.file: ${error instanceof Error ? error.message : String(error)}`;
  }
  const types = new Map(config.providers.map((provider) => [provider.id, provider.type]));
  const lines = ["Prices (USD per 1M tokens):"];
  const seen = new Set<string>();
  for (const group of config.groups)
    for (const spec of group.deployments) {
      const type = types.get(spec.providerId);
      if (type === undefined || seen.has(spec.id)) continue;
      seen.add(spec.id);
      const match = pricing.priceOf(type, spec.model, {
        deployment: spec.priceOverride?.deployment ?? null,
        provider: spec.priceOverride?.provider ?? null,
      });
      lines.push(
        match === null
          ? `  ${spec.id}: no price (${pricing.whyNoPrice(type, spec.model)})`
          : `  ${spec.id}: ${describePrice(match.price)} (${describePriceSource(match.source)})`,
      );
    }
  if (seen.size === 0) lines.push("  (no deployments)");
  return lines.join("\n");
}
