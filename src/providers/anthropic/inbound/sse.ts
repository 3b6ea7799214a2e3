/** One Anthropic SSE event: `event: <type>` and `data: <payload JSON>` (the payload carries the same `type`). */
export function anthropicEvent(payload: { type: string; [key: string]: unknown }): string {
  return `event: ${payload.type}\ndata: ${JSON.stringify(payload)}\n\n`;
}
