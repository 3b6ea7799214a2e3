import type { Usage } from "../../../types/index.js";
import { numberField } from "./read.js";

/** Responses usage (`ResponseUsage`). */
export interface ResponsesUsage {
  input_tokens: number;
  input_tokens_details: { cached_tokens: number; cache_write_tokens: number };
  output_tokens: number;
  output_tokens_details: { reasoning_tokens: number };
  total_tokens: number;
}

function count(value: number | null): number {
  return value !== null && value > 0 ? Math.round(value) : 0;
}

/**
 * Chat usage → Responses usage: `input_tokens = prompt_tokens` (cached included, as the Responses
 * API counts), `cached_tokens` from `prompt_tokens_details`, `cache_write_tokens: 0` (not reported
 * by chat upstreams), `output_tokens = completion_tokens`, `reasoning_tokens` from
 * `completion_tokens_details`, `total_tokens` (recomputed when missing). `null` without usage.
 */
export function toResponsesUsage(usage: Usage | null | undefined): ResponsesUsage | null {
  if (usage === null || usage === undefined) return null;
  const input = count(numberField(usage, "prompt_tokens"));
  const output = count(numberField(usage, "completion_tokens"));
  return {
    input_tokens: input,
    input_tokens_details: {
      cached_tokens: count(numberField(usage.prompt_tokens_details, "cached_tokens")),
      cache_write_tokens: 0,
    },
    output_tokens: output,
    output_tokens_details: {
      reasoning_tokens: count(numberField(usage.completion_tokens_details, "reasoning_tokens")),
    },
    total_tokens: count(numberField(usage, "total_tokens")) || input + output,
  };
}
