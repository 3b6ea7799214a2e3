/** The OpenAI finish reasons an Anthropic answer can end with. */
export type AnthropicMappedFinishReason = "stop" | "length" | "tool_calls" | "content_filter";

const finishReasons: Readonly<Record<string, AnthropicMappedFinishReason>> = {
  end_turn: "stop",
  stop_sequence: "stop",
  // A server tool (web search, code execution) paused a long turn; the client must send it back to go on.
  pause_turn: "stop",
  max_tokens: "length",
  // The context window filled up before max_tokens was reached.
  model_context_window_exceeded: "length",
  tool_use: "tool_calls",
  refusal: "content_filter",
};

/**
 * Maps an Anthropic `stop_reason` to an OpenAI `finish_reason`: `end_turn`, `stop_sequence` and
 * `pause_turn` → `stop`, `max_tokens` → `length`, `tool_use` → `tool_calls`, `refusal` →
 * `content_filter`. `null`/missing (a message still running) → `null`; a stop reason this table
 * does not know yet → `stop` (the message did end).
 */
export function anthropicFinishReason(
  stopReason: string | null | undefined,
): AnthropicMappedFinishReason | null {
  if (stopReason === null || stopReason === undefined) return null;
  return finishReasons[stopReason] ?? "stop";
}
