import { isRecord } from "../../../util/index.js";

/** True for a reasoning item OpenAI cannot resolve: no `encrypted_content`, and not stored or not OpenAI's own. */
function unreplayable(item: unknown, stored: boolean): boolean {
  if (!isRecord(item) || item["type"] !== "reasoning") return false;
  const encrypted = item["encrypted_content"];
  if (typeof encrypted === "string" && encrypted !== "") return false;
  const content = item["content"];
  const ours =
    Array.isArray(content) && content.some((part) => isRecord(part) && part["type"] === "reasoning_text");
  return !stored || ours;
}

/**
 * Prepares a Responses request for pass-through to OpenAI's own `/v1/responses` after chat
 * upstreams served earlier turns: OpenAI resolves a replayed `reasoning` item through its
 * `encrypted_content`, or by id when responses are stored. The reasoning items llmux made from
 * another model's reasoning ({@link toResponsesResponse}, the event writer) have neither, so they
 * are removed; so is any reasoning item without `encrypted_content` when `store` is false.
 * Returns the body itself when there is nothing to remove. Pure.
 */
export function dropUnreplayableReasoning<T>(body: T): T {
  if (!isRecord(body) || !Array.isArray(body["input"])) return body;
  const stored = body["store"] !== false;
  const input: unknown[] = body["input"];
  if (!input.some((item) => unreplayable(item, stored))) return body;
  return { ...body, input: input.filter((item) => !unreplayable(item, stored)) } as T;
}
