import { isRecord } from "../../../util/index.js";
import type { JsonObject } from "../fields.js";

function unsigned(block: unknown): boolean {
  if (!isRecord(block) || block["type"] !== "thinking") return false;
  const signature = block["signature"];
  return typeof signature !== "string" || signature === "";
}

/**
 * Prepares an Anthropic request body for pass-through to Anthropic after other upstreams served
 * earlier turns: removes `thinking` blocks without a signature (the ones {@link toAnthropicMessage}
 * and the event writer made from another model's reasoning; Anthropic refuses them), and
 * assistant turns left empty. When the last assistant turn lost its thinking, `thinking` is turned
 * off for this request (Anthropic wants that turn to start with a signed thinking block while
 * thinking is on). Returns the body itself when there is nothing to remove. Pure.
 */
export function dropUnsignedThinking<T>(body: T): T {
  if (!isRecord(body) || !Array.isArray(body["messages"])) return body;
  const messages: unknown[] = body["messages"];
  const touched = messages.some(
    (message) => isRecord(message) && Array.isArray(message["content"]) && message["content"].some(unsigned),
  );
  if (!touched) return body;
  let lastAssistantLost = false;
  const kept: unknown[] = [];
  messages.forEach((message, index) => {
    if (!isRecord(message) || !Array.isArray(message["content"])) {
      kept.push(message);
      return;
    }
    const content = (message["content"] as unknown[]).filter((block) => !unsigned(block));
    const lost = content.length < (message["content"] as unknown[]).length;
    if (message["role"] === "assistant") {
      const later = messages.slice(index + 1).some((next) => isRecord(next) && next["role"] === "assistant");
      if (!later) lastAssistantLost = lost;
    }
    if (content.length > 0) kept.push({ ...message, content });
  });
  const copy: JsonObject = { ...body, messages: kept };
  if (lastAssistantLost) delete copy["thinking"];
  return copy as T;
}
