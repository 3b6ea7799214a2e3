import type { PriceOverride } from "./spend.js";
/**
 * Provider types llmux knows. OpenAI-compatible vendors differ only in data (base URL, headers,
 * auth header), kept in `src/providers/presets.ts`; `anthropic` and `gemini` have their own wire format.
 */
export const openAICompatibleProviderTypes = [
  "openai",
  "azure",
  "groq",
  "cerebras",
  "openrouter",
  "mistral",
  "together",
  "deepseek",
  "fireworks",
  "xai",
  "ollama",
  "vllm",
  "lmstudio",
  "openai-compatible",
] as const;

/** Provider types with a native (non-OpenAI) wire format. */
export const nativeProviderTypes = ["anthropic", "gemini"] as const;

/** Every provider type a config may name. */
export const providerTypes = [...openAICompatibleProviderTypes, ...nativeProviderTypes] as const;

export type ProviderType = (typeof providerTypes)[number];

/** One configured provider instance (an account/endpoint and its key). */
export interface ProviderInstanceSpec {
  /** Unique id, e.g. `groq-1`. */
  id: string;
  type: ProviderType;
  /** Secret. Never logged, never shown in status or errors. */
  apiKey: string;
  /** Base URL; null = the type's default. */
  baseUrl: string | null;
  /** Extra headers sent upstream (secret values allowed). */
  headers: Record<string, string>;
  /** Models this instance serves (used for automatic groups and `/v1/models`). */
  models: string[];
  /** Azure OpenAI: api-version and model → deployment-name map. */
  azure: { apiVersion: string; deployments: Record<string, string> } | null;
  /** Anthropic: drop a passed-through beta the upstream refuses and send again. Default false. */
  dropUnsupportedBetas?: boolean;
}

/** One deployment inside a model group: provider instance × upstream model. */
export interface DeploymentSpec {
  /** `<providerId>/<model>`: state is shared by every group that uses the same pair. */
  id: string;
  providerId: string;
  /** Upstream model name. */
  model: string;
  weight: number;
  /** 0 = primary, 1 = first fallback, … */
  tier: number;
  rpm: number | null;
  tpm: number | null;
  rpd: number | null;
  contextWindow: number | null;
  firstTokenTimeoutMs: number | null;
  streamIdleTimeoutMs: number | null;
  includeUsage: boolean;
  /** The provider's `quota_group`: deployments of one model in one group share a learned bucket. */
  quotaGroup?: string | null;
  /** Mid-stream recovery by assistant prefill: `true`, `false` (regenerate and splice), `auto` (learned). */
  prefill?: boolean | "auto";
  /** `price:` on this deployment, else on its provider instance (USD per 1M tokens); absent = the price table. */
  priceOverride?: { deployment: PriceOverride | null; provider: PriceOverride | null };
}

/** A model group (virtual model) clients ask for. */
export interface GroupSpec {
  name: string;
  strategy: "weighted" | "priority" | "round-robin" | "least-latency" | "least-cost";
  deployments: DeploymentSpec[];
  /** True for groups made automatically (per-model and `*-auto` groups). */
  automatic: boolean;
  /** More names that ask for this group (`aliases:`). */
  aliases?: string[];
  /** `hedge:` — hedge a late first token (absent = on). */
  hedge?: boolean;
  /** `hedge_after_ms:` — the hedge delay instead of the one derived from observed TTFT. */
  hedgeAfterMs?: number;
}
