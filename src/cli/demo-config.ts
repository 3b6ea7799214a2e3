import { defaultConfig, type GatewayConfig } from "../config/index.js";
import type { Simulator } from "../sim/index.js";
import type { DeploymentSpec, ProviderInstanceSpec } from "../types/index.js";

/** The simulator's rate-limit window in the demo. */
export const demoWindowMs = 10_000;

/** One simulated account of the demo. */
export interface DemoKey {
  id: string;
  key: string;
  /** Requests per `demoWindowMs`. */
  rpm: number;
}

/** Three keys with small limits, one broken key (its connections are reset), one fallback key. */
export const demoKeys: readonly DemoKey[] = [
  { id: "sim-key-1", key: "demo-key-0001", rpm: 20 },
  { id: "sim-key-2", key: "demo-key-0002", rpm: 20 },
  { id: "sim-key-3", key: "demo-key-0003", rpm: 20 },
  { id: "sim-broken", key: "demo-key-dead", rpm: 1000 },
  { id: "sim-fallback", key: "demo-key-0004", rpm: 60 },
];

/** The provider id of the fallback deployment. */
export const fallbackId = "sim-fallback";

function deployment(providerId: string, model: string, tier: number): DeploymentSpec {
  return {
    id: `${providerId}/${model}`,
    providerId,
    model,
    weight: 1,
    tier,
    rpm: null,
    tpm: null,
    rpd: null,
    contextWindow: null,
    firstTokenTimeoutMs: null,
    streamIdleTimeoutMs: null,
    includeUsage: true,
  };
}

/**
 * The demo's gateway config over the simulator: `gpt-4.1` on three keys and the broken one (the
 * keys' limits are not configured: the gateway learns them from the provider's headers, and from
 * its 429s), then `gpt-4.1-mini` on the fallback key.
 */
export function demoConfig(sim: Simulator, port: number, host: string): GatewayConfig {
  const config = defaultConfig({});
  const providers: ProviderInstanceSpec[] = demoKeys.map((k) => ({
    id: k.id,
    type: "openai-compatible",
    apiKey: k.key,
    baseUrl: sim.url,
    headers: {},
    models: [k.id === fallbackId ? "gpt-4.1-mini" : "gpt-4.1"],
    azure: null,
  }));
  const primaries = demoKeys.filter((k) => k.id !== fallbackId).map((k) => deployment(k.id, "gpt-4.1", 0));
  const fallback = deployment(fallbackId, "gpt-4.1-mini", 1);
  return {
    ...config,
    server: { ...config.server, port, host },
    routing: {
      ...config.routing,
      strategy: "weighted",
      maxWaitMs: 0,
      circuit: { failureThreshold: 2, openMs: 5_000 },
    },
    providers,
    groups: [
      { name: "gpt-4.1", strategy: "weighted", deployments: [...primaries, fallback], automatic: false },
      { name: "gpt-4.1-mini", strategy: "weighted", deployments: [fallback], automatic: false },
    ],
    logging: { level: "warn", format: "json" },
  };
}
