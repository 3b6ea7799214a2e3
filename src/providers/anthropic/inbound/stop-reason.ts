import { isRecord } from "../../../util/index.js";

/** The `stop_reason` values an answer from an OpenAI-compatible upstream can end with. */
export type AnthropicStopReason = "end_turn" | "max_tokens" | "stop_sequence" | "tool_use" | "refusal";

/** `stop_reason` and `stop_sequence` of an Anthropic message. */
export interface AnthropicStop {
  stop_reason: AnthropicStopReason;
  stop_sequence: string | null;
}

/**
 * The stop sequence an upstream says it matched, when it says: vLLM puts it in the choice's
 * `stop_reason`, SGLang in `matched_stop` (a number there is a stop token id, not a sequence).
 */
export function matchedStopSequence(choice: unknown): string | null {
  if (!isRecord(choice)) return null;
  for (const key of ["stop_reason", "matched_stop"]) {
    const value = choice[key];
    if (typeof value === "string" && value !== "") return value;
  }
  return null;
}

/**
 * OpenAI `finish_reason` → Anthropic `stop_reason`: `stop` → `end_turn`, or `stop_sequence` (with
 * `stop_sequence` set) when the upstream named the sequence it matched; `length` → `max_tokens`;
 * `tool_calls` / `function_call` → `tool_use`; `content_filter` → `refusal`. A missing or unknown
 * reason → `tool_use` when the answer has tool calls, else `end_turn`; so does `stop` with tool calls
 * (some vendors end tool calls with `stop`).
 */
export function toAnthropicStop(
  finishReason: string | null | undefined,
  toolCalls: boolean,
  stopSequence: string | null,
): AnthropicStop {
  switch (finishReason) {
    case "length":
      return { stop_reason: "max_tokens", stop_sequence: null };
    case "tool_calls":
    case "function_call":
      return { stop_reason: "tool_use", stop_sequence: null };
    case "content_filter":
      return { stop_reason: "refusal", stop_sequence: null };
    default:
      if (toolCalls) return { stop_reason: "tool_use", stop_sequence: null };
      if (finishReason === "stop" && stopSequence !== null) {
        return { stop_reason: "stop_sequence", stop_sequence: stopSequence };
      }
      return { stop_reason: "end_turn", stop_sequence: null };
  }
}
