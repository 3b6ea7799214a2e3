import type { Usage } from "../../../types/index.js";
import { numberField } from "../fields.js";

/** Anthropic usage counts from OpenAI usage. */
export interface AnthropicCounts {
  /** Input tokens not read from the cache (Anthropic's `input_tokens` excludes cache reads). */
  input: number;
  output: number;
  cacheRead: number;
}

function count(value: number | null): number {
  return value !== null && value > 0 ? Math.round(value) : 0;
}

/**
 * OpenAI usage → Anthropic counts: `cache_read_input_tokens = prompt_tokens_details.cached_tokens`,
 * `input_tokens = prompt_tokens − cached` (Anthropic counts cache reads apart), `output_tokens =
 * completion_tokens` (reasoning included, as Anthropic counts thinking). Missing counts are 0.
 */
export function anthropicCounts(usage: Usage | null | undefined): AnthropicCounts {
  const prompt = count(numberField(usage, "prompt_tokens"));
  const cacheRead = Math.min(prompt, count(numberField(usage?.prompt_tokens_details, "cached_tokens")));
  return { input: prompt - cacheRead, output: count(numberField(usage, "completion_tokens")), cacheRead };
}

/**
 * A complete Anthropic `Usage` object (every key the spec lists): the counts of
 * {@link anthropicCounts}, `cache_creation_input_tokens: 0` (OpenAI-compatible upstreams do not
 * report cache writes), the rest `null`.
 */
export function toAnthropicUsage(usage: Usage | null | undefined): Record<string, unknown> {
  const counts = anthropicCounts(usage);
  return {
    input_tokens: counts.input,
    output_tokens: counts.output,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: counts.cacheRead,
    cache_creation: null,
    server_tool_use: null,
    service_tier: null,
    inference_geo: null,
  };
}
