import type { ChatCompletionBody } from "../../../types/index.js";
import { isRecord, safeJsonParse } from "../../../util/index.js";
import { field, stringField, type JsonObject } from "../fields.js";
import { anthropicMessageId, anthropicToolUseId } from "./ids.js";
import { matchedStopSequence, toAnthropicStop } from "./stop-reason.js";
import { toAnthropicUsage } from "./usage.js";

/** An Anthropic `Message` (the answer of `POST /v1/messages`). */
export interface AnthropicResponseMessage {
  id: string;
  type: "message";
  role: "assistant";
  model: string;
  content: JsonObject[];
  stop_reason: string;
  stop_sequence: string | null;
  stop_details: null;
  container: null;
  usage: Record<string, unknown>;
}

/** The reasoning text an OpenAI-compatible upstream returns beside the answer (`reasoning_content` or `reasoning`). */
export function reasoningText(message: unknown): string {
  for (const key of ["reasoning_content", "reasoning"]) {
    const value = field(message, key);
    if (typeof value === "string" && value !== "") return value;
  }
  return "";
}

/** The message's text: a string, or the texts of its text parts. */
function contentText(message: unknown): string {
  const content = field(message, "content");
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content.map((part: unknown) => stringField(part, "text") ?? "").join("");
}

/** Tool call arguments → the `input` object: parsed JSON when it is an object, else `{}`. */
export function toolInput(args: unknown): JsonObject {
  const parsed = typeof args === "string" ? safeJsonParse(args) : args;
  return isRecord(parsed) ? parsed : {};
}

function toolUseBlocks(message: unknown, messageId: string): JsonObject[] {
  const calls = field(message, "tool_calls");
  if (!Array.isArray(calls)) return [];
  return calls.filter(isRecord).map((call, position) => {
    const fn = field(call, "function");
    return {
      type: "tool_use",
      id: anthropicToolUseId(stringField(call, "id"), messageId, position),
      name: stringField(fn, "name") ?? "",
      input: toolInput(field(fn, "arguments")),
      caller: { type: "direct" },
    };
  });
}

/**
 * OpenAI chat completion → Anthropic `Message` (for a `/v1/messages` caller served by an
 * OpenAI-compatible upstream). Reads the first choice:
 * - `reasoning_content` / `reasoning` → a leading `thinking` block (with an empty `signature`:
 *   there is none to give; Anthropic itself would refuse it, so strip such blocks before passing a
 *   later turn through to Anthropic — see {@link dropUnsignedThinking});
 * - the text (a string or text parts; else the `refusal`) → one `text` block (none when empty);
 * - `tool_calls` → `tool_use` blocks (ids kept, made Anthropic-safe; arguments parsed, and
 *   arguments that are not a JSON object → `input: {}`);
 * - `finish_reason` → `stop_reason` / `stop_sequence` (see {@link toAnthropicStop});
 * - usage → see {@link toAnthropicUsage}; `model` = the model the client asked for; `id` =
 *   `options.messageId` or one derived from the completion id ({@link anthropicMessageId}).
 */
export function toAnthropicMessage(
  body: ChatCompletionBody,
  requestedModel: string,
  options: { messageId?: string } = {},
): AnthropicResponseMessage {
  const id = options.messageId ?? anthropicMessageId(typeof body.id === "string" ? body.id : "");
  const choice = Array.isArray(body.choices) ? body.choices[0] : undefined;
  const message = choice?.message;
  const content: JsonObject[] = [];
  const reasoning = reasoningText(message);
  if (reasoning !== "") content.push({ type: "thinking", thinking: reasoning, signature: "" });
  const text = contentText(message) || (stringField(message, "refusal") ?? "");
  if (text !== "") content.push({ type: "text", text, citations: null });
  const tools = toolUseBlocks(message, id);
  content.push(...tools);
  const stop = toAnthropicStop(choice?.finish_reason, tools.length > 0, matchedStopSequence(choice));
  return {
    id,
    type: "message",
    role: "assistant",
    model: requestedModel,
    content,
    ...stop,
    stop_details: null,
    container: null,
    usage: toAnthropicUsage(body.usage),
  };
}
