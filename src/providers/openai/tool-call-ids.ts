import { createHash } from "node:crypto";
import type { ChatRequest } from "../../types/index.js";
import { isRecord } from "../../util/index.js";

/** OpenAI rejects tool-call ids longer than this. */
export const maxToolCallIdLength = 40;

function shorten(id: string): string {
  return `call_${createHash("sha256")
    .update(id)
    .digest("base64url")
    .slice(0, maxToolCallIdLength - 5)}`;
}

function needsShortening(messages: readonly unknown[]): boolean {
  for (const message of messages) {
    if (!isRecord(message)) continue;
    const id = message["tool_call_id"];
    if (typeof id === "string" && id.length > maxToolCallIdLength) return true;
    const calls = message["tool_calls"];
    if (
      Array.isArray(calls) &&
      calls.some(
        (call) => isRecord(call) && typeof call["id"] === "string" && call["id"].length > maxToolCallIdLength,
      )
    )
      return true;
  }
  return false;
}

/**
 * Tool-call ids minted by another provider (Gemini ids carry a signature) can be longer than OpenAI
 * accepts. Replaces every overlong id in the history by a short deterministic hash, so calls and
 * their results still match. Returns the request untouched (same object) when nothing is too long.
 */
export function fitToolCallIds(request: ChatRequest): ChatRequest {
  if (!needsShortening(request.messages)) return request;
  const messages = request.messages.map((message) => {
    if (!isRecord(message)) return message;
    const copy: Record<string, unknown> = { ...message };
    const id = copy["tool_call_id"];
    if (typeof id === "string" && id.length > maxToolCallIdLength) copy["tool_call_id"] = shorten(id);
    const calls = copy["tool_calls"];
    if (Array.isArray(calls)) {
      copy["tool_calls"] = calls.map((call) =>
        isRecord(call) && typeof call["id"] === "string" && call["id"].length > maxToolCallIdLength
          ? { ...call, id: shorten(call["id"]) }
          : call,
      );
    }
    return copy;
  });
  return { ...request, messages };
}
