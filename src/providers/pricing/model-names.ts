import type { ProviderType } from "../../types/index.js";

/**
 * Vendor prefixes a provider type's model names may carry in configs copied from other gateways
 * (`openai/gpt-4.1`, `models/gemini-2.5-flash`, `anthropic/claude-sonnet-4-0`). Only a provider's
 * own prefixes are dropped: on OpenRouter or Groq `openai/gpt-oss-120b` is the model's real name.
 */
const ownPrefixes: Partial<Record<ProviderType, readonly string[]>> = {
  openai: ["openai/"],
  azure: ["azure/", "openai/"],
  anthropic: ["anthropic/"],
  gemini: ["models/", "google/", "gemini/"],
  groq: ["groq/"],
  cerebras: ["cerebras/"],
  mistral: ["mistral/", "mistralai/"],
  together: ["together/", "together_ai/"],
  deepseek: ["deepseek/"],
  fireworks: ["fireworks/", "fireworks_ai/"],
  xai: ["xai/", "x-ai/"],
  openrouter: ["openrouter/"],
};

/** A trailing snapshot date: `-2025-04-14`, `-20250514`, `@20250514` (Vertex). */
const dateSuffix = /(?:-|@)(20\d{2})-?(0[1-9]|1[0-2])-?(0[1-9]|[12]\d|3[01])$/;

/** A name to look up and what was changed to get it (null: the name as configured). */
export interface ModelNameCandidate {
  name: string;
  note: string | null;
}

function withoutPrefix(type: ProviderType, model: string): string | null {
  const lower = model.toLowerCase();
  for (const prefix of ownPrefixes[type] ?? []) {
    if (lower.startsWith(prefix) && model.length > prefix.length) return model.slice(prefix.length);
  }
  return null;
}

function withoutDate(model: string): string | null {
  const match = dateSuffix.exec(model);
  return match && match.index > 0 ? model.slice(0, match.index) : null;
}

/**
 * The names under which a deployment's model is looked up, most faithful first: as configured, without
 * the provider's own vendor prefix, then without a trailing snapshot date (the table knows most
 * snapshots itself; the undated name is tried only when it does not). Nothing else is guessed.
 */
export function modelNameCandidates(type: ProviderType, model: string): ModelNameCandidate[] {
  const trimmed = model.trim();
  const candidates: ModelNameCandidate[] = [{ name: trimmed, note: null }];
  const bare = withoutPrefix(type, trimmed);
  if (bare !== null) candidates.push({ name: bare, note: `prefix dropped: ${bare}` });
  for (const candidate of [...candidates]) {
    const undated = withoutDate(candidate.name);
    if (undated !== null) candidates.push({ name: undated, note: `date suffix dropped: ${undated}` });
  }
  return candidates;
}
