/**
 * The gateway configs of `npm run bench:quota`, written as a MultiRouter-AI `providers.yaml` (one instance
 * per key, the model listed under each, which makes it a group) and compiled by `parseConfig`:
 *
 * - `learned`: nothing but the keys, as a user would start;
 * - `configured`: the same plus each key's true `rpm`/`tpm` (an org's keys get an even share).
 *
 * Time settings are not in the file: the bench passes llmux's defaults scaled (see `quota-scale.ts`).
 */
import { parseConfig, type GatewayConfig } from "../src/config/index.js";
import type { Simulator } from "../src/sim/index.js";
import { configuredLimits, MODEL, type Scenario } from "./quota-scenarios.js";

export type GatewayMode = "learned" | "configured";

/** Shared state for several nodes. */
export interface RedisState {
  readonly url: string;
  readonly prefix: string;
}

/** The YAML text of a scenario's gateway config. */
export function gatewayYaml(
  scenario: Scenario,
  sim: Simulator,
  mode: GatewayMode,
  redis: RedisState | undefined,
): string {
  const model = MODEL[scenario.wire];
  const lines = ["logging:", "  level: silent", "providers:"];
  for (const key of scenario.keys) {
    lines.push(
      `  - id: ${key.id}`,
      `    type: ${scenario.wire === "gemini" ? "gemini" : "openai-compatible"}`,
      `    base_url: ${scenario.wire === "gemini" ? sim.origin : sim.url}`,
      `    api_key: ${key.id}`,
      `    models: [${model}]`,
    );
    if (mode === "configured") {
      const limits = configuredLimits(scenario, key);
      lines.push(`    rpm: ${limits.rpm}`, `    tpm: ${limits.tpm}`);
    }
  }
  if (redis !== undefined)
    lines.push("state:", "  redis:", `    url: ${redis.url}`, `    prefix: "${redis.prefix}"`);
  return `${lines.join("\n")}\n`;
}

/** The compiled config; throws on any problem or warning (the bench's configs must be clean). */
export function gatewayConfig(
  scenario: Scenario,
  sim: Simulator,
  mode: GatewayMode,
  redis: RedisState | undefined,
): GatewayConfig {
  const file = `bench-quota-${mode}.yaml`;
  const { config, warnings } = parseConfig(gatewayYaml(scenario, sim, mode, redis), { file, env: {} });
  if (warnings.length > 0) throw new Error(`${file}: ${JSON.stringify(warnings)}`);
  return config;
}
