import type { ProviderType } from "../types/index.js";

/** How to reach an OpenAI-compatible vendor: pure data. */
export interface ProviderPreset {
  /** Default base URL (up to and including `/v1`), or null when the config must give one. */
  baseUrl: string | null;
  /** Header that carries the key: `Authorization: Bearer` or a vendor header such as Azure's `api-key`. */
  auth: "bearer" | "api-key";
  /** True when a key is optional (local servers). */
  keyOptional: boolean;
  /** A human name for logs and `/v1/models` `owned_by`. */
  label: string;
}

/** Presets of every OpenAI-compatible provider type. */
export const providerPresets: Readonly<
  Record<Exclude<ProviderType, "anthropic" | "gemini">, ProviderPreset>
> = {
  openai: { baseUrl: "https://api.openai.com/v1", auth: "bearer", keyOptional: false, label: "openai" },
  azure: { baseUrl: null, auth: "api-key", keyOptional: false, label: "azure" },
  groq: { baseUrl: "https://api.groq.com/openai/v1", auth: "bearer", keyOptional: false, label: "groq" },
  cerebras: { baseUrl: "https://api.cerebras.ai/v1", auth: "bearer", keyOptional: false, label: "cerebras" },
  openrouter: {
    baseUrl: "https://openrouter.ai/api/v1",
    auth: "bearer",
    keyOptional: false,
    label: "openrouter",
  },
  mistral: { baseUrl: "https://api.mistral.ai/v1", auth: "bearer", keyOptional: false, label: "mistral" },
  together: { baseUrl: "https://api.together.xyz/v1", auth: "bearer", keyOptional: false, label: "together" },
  deepseek: { baseUrl: "https://api.deepseek.com/v1", auth: "bearer", keyOptional: false, label: "deepseek" },
  fireworks: {
    baseUrl: "https://api.fireworks.ai/inference/v1",
    auth: "bearer",
    keyOptional: false,
    label: "fireworks",
  },
  xai: { baseUrl: "https://api.x.ai/v1", auth: "bearer", keyOptional: false, label: "xai" },
  ollama: { baseUrl: "http://127.0.0.1:11434/v1", auth: "bearer", keyOptional: true, label: "ollama" },
  vllm: { baseUrl: "http://127.0.0.1:8000/v1", auth: "bearer", keyOptional: true, label: "vllm" },
  lmstudio: { baseUrl: "http://127.0.0.1:1234/v1", auth: "bearer", keyOptional: true, label: "lmstudio" },
  "openai-compatible": { baseUrl: null, auth: "bearer", keyOptional: true, label: "openai-compatible" },
};

/**
 * Gemini's OpenAI-compatible surface, used for `type: gemini` until a native adapter is configured
 * (MultiRouter's `providers.yaml` names `gemini` instances).
 */
export const geminiOpenAIPreset: ProviderPreset = {
  baseUrl: "https://generativelanguage.googleapis.com/v1beta/openai",
  auth: "bearer",
  keyOptional: false,
  label: "gemini",
};

/** Anthropic's OpenAI SDK compatibility endpoint. */
export const anthropicOpenAIPreset: ProviderPreset = {
  baseUrl: "https://api.anthropic.com/v1",
  auth: "bearer",
  keyOptional: false,
  label: "anthropic",
};

/** The preset of a provider type. */
export function presetOf(type: ProviderType): ProviderPreset {
  if (type === "gemini") return geminiOpenAIPreset;
  if (type === "anthropic") return anthropicOpenAIPreset;
  return providerPresets[type];
}
