import type { JsonObject } from "./read.js";

/** The status of an output item. */
export type ItemStatus = "in_progress" | "completed" | "incomplete";

/** An `output_text` content part (no annotations or logprobs from a chat upstream). */
export function outputTextPart(text: string): JsonObject {
  return { type: "output_text", text, annotations: [], logprobs: [] };
}

/** A `refusal` content part. */
export function refusalPart(refusal: string): JsonObject {
  return { type: "refusal", refusal };
}

/** A `reasoning_text` content part. */
export function reasoningTextPart(text: string): JsonObject {
  return { type: "reasoning_text", text };
}

/** An assistant `message` item holding the given content parts. */
export function messageItem(id: string, content: JsonObject[], status: ItemStatus): JsonObject {
  return { id, type: "message", status, role: "assistant", content };
}

/**
 * A `reasoning` item: a chat upstream's raw reasoning text as `reasoning_text` content (it is not a
 * summary, so `summary` is empty; no `encrypted_content`, there is nothing to replay).
 */
export function reasoningItem(id: string, content: JsonObject[], status: ItemStatus): JsonObject {
  return { id, type: "reasoning", summary: [], content, status };
}

/** A `function_call` item. */
export function functionCallItem(
  id: string,
  callId: string,
  name: string,
  args: string,
  status: ItemStatus,
): JsonObject {
  return { id, type: "function_call", status, arguments: args, call_id: callId, name };
}

/** A `custom_tool_call` item (the raw `input` of a freeform tool). */
export function customToolCallItem(
  id: string,
  callId: string,
  name: string,
  input: string,
  status: ItemStatus,
): JsonObject {
  return { id, type: "custom_tool_call", status, call_id: callId, input, name };
}

/** How a chat finish reason ends a response. */
export interface ResponseEnd {
  status: "completed" | "incomplete";
  incomplete_details: { reason: "max_output_tokens" | "content_filter" } | null;
}

/**
 * `finish_reason` → the response's status: `length` → `incomplete` (`max_output_tokens`),
 * `content_filter` → `incomplete` (`content_filter`), anything else (including none) → `completed`.
 */
export function responseEnd(finishReason: string | null | undefined): ResponseEnd {
  if (finishReason === "length")
    return { status: "incomplete", incomplete_details: { reason: "max_output_tokens" } };
  if (finishReason === "content_filter") {
    return { status: "incomplete", incomplete_details: { reason: "content_filter" } };
  }
  return { status: "completed", incomplete_details: null };
}
