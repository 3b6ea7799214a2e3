import type { Usage } from "../../types/index.js";
import { isRecord } from "../../util/index.js";
import { numberField, type JsonObject } from "./fields.js";

function count(usage: unknown, key: string): number {
  const value = numberField(usage, key);
  return value !== null && value > 0 ? value : 0;
}

/**
 * OpenAI usage from an Anthropic `usage` object. Anthropic's `input_tokens` excludes cached tokens,
 * so `prompt_tokens = input_tokens + cache_creation_input_tokens + cache_read_input_tokens`;
 * `completion_tokens = output_tokens`; `prompt_tokens_details.cached_tokens = cache_read_input_tokens`
 * (always present, `0` when nothing was read from the cache). Missing or null counts are `0`.
 */
export function anthropicUsage(usage: unknown): Usage {
  const cacheRead = count(usage, "cache_read_input_tokens");
  const prompt = count(usage, "input_tokens") + count(usage, "cache_creation_input_tokens") + cacheRead;
  const completion = count(usage, "output_tokens");
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    prompt_tokens_details: { cached_tokens: cacheRead },
  };
}

/**
 * Overlays the counts of a later usage report (a stream's `message_delta.usage`: cumulative
 * `output_tokens`, sometimes final input/cache counts) on an earlier one (`message_start`'s).
 * Only numeric fields overwrite; nulls and missing keys keep the earlier value.
 */
export function mergeAnthropicUsage(earlier: JsonObject, later: unknown): JsonObject {
  if (!isRecord(later)) return earlier;
  const merged: JsonObject = { ...earlier };
  for (const [key, value] of Object.entries(later)) {
    if (typeof value === "number" && Number.isFinite(value)) merged[key] = value;
  }
  return merged;
}
