import type { Usage } from "../../types/index.js";
import { isRecord } from "../../util/index.js";

function count(metadata: Record<string, unknown>, key: string): number {
  const value = metadata[key];
  return typeof value === "number" && Number.isFinite(value) ? value : 0;
}

/**
 * Maps Gemini `usageMetadata` to OpenAI usage:
 * `prompt_tokens = promptTokenCount + toolUsePromptTokenCount`,
 * `completion_tokens = candidatesTokenCount + thoughtsTokenCount`,
 * `total_tokens = totalTokenCount` (or the sum when absent),
 * `prompt_tokens_details.cached_tokens = cachedContentTokenCount`,
 * `completion_tokens_details.reasoning_tokens = thoughtsTokenCount`.
 * Missing counts are 0 (stream chunks often carry only `promptTokenCount`); a non-object gives zeros.
 */
export function geminiUsage(usageMetadata: unknown): Usage {
  const metadata = isRecord(usageMetadata) ? usageMetadata : {};
  const promptTokens = count(metadata, "promptTokenCount") + count(metadata, "toolUsePromptTokenCount");
  const reasoningTokens = count(metadata, "thoughtsTokenCount");
  const completionTokens = count(metadata, "candidatesTokenCount") + reasoningTokens;
  const total = metadata["totalTokenCount"];
  return {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens:
      typeof total === "number" && Number.isFinite(total) ? total : promptTokens + completionTokens,
    prompt_tokens_details: { cached_tokens: count(metadata, "cachedContentTokenCount") },
    completion_tokens_details: { reasoning_tokens: reasoningTokens },
  };
}
