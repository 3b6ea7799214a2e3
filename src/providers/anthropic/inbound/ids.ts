/** Characters Anthropic ids (`tool_use.id`, message ids) may hold: `^[a-zA-Z0-9_-]+$`. */
function safe(text: string): string {
  return text.replace(/[^a-zA-Z0-9_-]/g, "_");
}

/**
 * An Anthropic message id (`msg_…`) derived from an upstream completion id: `chatcmpl-AbC` →
 * `msg_AbC`; other ids keep their characters (anything outside `[a-zA-Z0-9_-]` becomes `_`); an
 * empty id → `msg_llmux`.
 */
export function anthropicMessageId(upstreamId: string): string {
  if (upstreamId.startsWith("msg_")) return safe(upstreamId);
  const rest = safe(upstreamId.replace(/^chatcmpl-/, ""));
  return `msg_${rest === "" ? "llmux" : rest}`;
}

/**
 * A tool call id Anthropic clients can send back (`^[a-zA-Z0-9_-]+$`): ids such as
 * `functions.get_weather:0` become `functions_get_weather_0`; a missing id is minted from the
 * message id and the call's position.
 */
export function anthropicToolUseId(id: string | null, messageId: string, position: number): string {
  if (id !== null && id !== "") return safe(id);
  return `toolu_${messageId.replace(/^msg_/, "")}_${position}`;
}
