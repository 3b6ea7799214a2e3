import type { ChatCompletionBody } from "../../types/index.js";
import { isRecord } from "../../util/index.js";
import { field, stringField, type JsonObject } from "./fields.js";
import { anthropicFinishReason } from "./finish-reason.js";
import { anthropicUsage } from "./usage.js";

/** One OpenAI tool call. */
interface ToolCall {
  id: string;
  type: "function";
  function: { name: string; arguments: string };
}

function toolCall(block: JsonObject): ToolCall {
  const input = block["input"];
  return {
    id: stringField(block, "id") ?? "",
    type: "function",
    function: {
      name: stringField(block, "name") ?? "",
      arguments: JSON.stringify(isRecord(input) ? input : {}),
    },
  };
}

/**
 * Anthropic Message (`POST /v1/messages` answer) → OpenAI `chat.completion`:
 * - text blocks joined (no separator) → `message.content`, `null` when there is no text (only
 *   tool calls); `tool_use` blocks → `message.tool_calls` (arguments = `JSON.stringify(input)`);
 *   thinking, redacted thinking and server-tool blocks are dropped; `refusal` and `logprobs` are
 *   always `null`;
 * - `finish_reason` from {@link anthropicFinishReason}; a message without a stop reason (never in a
 *   finished answer) ends as `tool_calls` when it has tool calls, else `stop`;
 * - `id` is the message id as it is (`msg_…`), `created` = `floor(now / 1000)`, `model` = the
 *   message's model; usage from {@link anthropicUsage}. No `system_fingerprint`.
 * Throws a TypeError when `body` is not an object.
 */
export function fromAnthropicMessage(body: unknown, now: number): ChatCompletionBody {
  if (!isRecord(body)) throw new TypeError("The Anthropic response is not a Message object.");
  const content = field(body, "content");
  const blocks = (Array.isArray(content) ? content : []).filter(isRecord);
  const texts = blocks.filter((block) => block["type"] === "text").map((block) => block["text"]);
  const text = texts.filter((piece): piece is string => typeof piece === "string").join("");
  const toolCalls = blocks.filter((block) => block["type"] === "tool_use").map(toolCall);
  const message: JsonObject = {
    role: "assistant",
    content: texts.length > 0 ? text : null,
    refusal: null,
  };
  if (toolCalls.length > 0) message["tool_calls"] = toolCalls;
  const finishReason =
    anthropicFinishReason(stringField(body, "stop_reason")) ?? (toolCalls.length > 0 ? "tool_calls" : "stop");
  return {
    id: stringField(body, "id") ?? "",
    object: "chat.completion",
    created: Math.floor(now / 1000),
    model: stringField(body, "model") ?? "",
    choices: [{ index: 0, message, finish_reason: finishReason, logprobs: null }],
    usage: anthropicUsage(body["usage"]),
  };
}
