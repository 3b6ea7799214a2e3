import type { ChatCompletionBody } from "../../../types/index.js";
import { isRecord } from "../../../util/index.js";
import { unwrapCustomInput } from "./custom-input.js";
import { itemId, mintedCallId } from "./ids.js";
import {
  customToolCallItem,
  functionCallItem,
  messageItem,
  outputTextPart,
  reasoningItem,
  reasoningTextPart,
  refusalPart,
  responseEnd,
  type ItemStatus,
} from "./output-items.js";
import { field, stringField, type JsonObject } from "./read.js";
import { responseObject, type ResponsesContext } from "./response-object.js";
import { toResponsesUsage } from "./usage.js";

function reasoningText(message: unknown): string {
  for (const key of ["reasoning_content", "reasoning"]) {
    const value = field(message, key);
    if (typeof value === "string" && value !== "") return value;
  }
  return "";
}

function contentText(message: unknown): string {
  const content = field(message, "content");
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content.map((part: unknown) => stringField(part, "text") ?? "").join("");
}

/** A tool call → a `function_call` item, or a `custom_tool_call` item (raw input unwrapped) for a custom tool. */
export function toolCallItem(
  call: { id: string | null; name: string; arguments: string },
  context: ResponsesContext,
  outputIndex: number,
  status: ItemStatus,
): JsonObject {
  const callId = call.id ?? mintedCallId(context.responseId, outputIndex);
  if (context.customTools.includes(call.name)) {
    const id = itemId("custom_tool_call", context.responseId, outputIndex);
    return customToolCallItem(id, callId, call.name, unwrapCustomInput(call.arguments), status);
  }
  const id = itemId("function_call", context.responseId, outputIndex);
  return functionCallItem(id, callId, call.name, call.arguments, status);
}

/**
 * Chat completion → Responses `response` object (non-streaming `POST /v1/responses`), from the
 * first choice, items in this order: a `reasoning` item from `reasoning_content` / `reasoning`
 * (as `reasoning_text` content), a `message` item with the text as `output_text` (annotations
 * and logprobs empty), a `message` item with the refusal, then one `function_call` item per tool
 * call — or a `custom_tool_call` item, with the raw input unwrapped from `{"input": "…"}`, for the
 * custom tools of `context.customTools`. `length` → status `incomplete` with
 * `incomplete_details.reason: "max_output_tokens"` (`content_filter` likewise), items then
 * `incomplete`; usage mapped by {@link toResponsesUsage}; the request's settings echoed
 * ({@link responseObject}). Item ids derive from `context.responseId` and the output index.
 */
export function toResponsesResponse(body: ChatCompletionBody, context: ResponsesContext): JsonObject {
  const choice = Array.isArray(body.choices) ? body.choices[0] : undefined;
  const message = choice?.message;
  const end = responseEnd(choice?.finish_reason);
  const status: ItemStatus = end.status === "incomplete" ? "incomplete" : "completed";
  const output: JsonObject[] = [];
  const next = (kind: "message" | "reasoning"): string => itemId(kind, context.responseId, output.length);
  const reasoning = reasoningText(message);
  if (reasoning !== "") output.push(reasoningItem(next("reasoning"), [reasoningTextPart(reasoning)], status));
  const text = contentText(message);
  if (text !== "") output.push(messageItem(next("message"), [outputTextPart(text)], status));
  const refusal = stringField(message, "refusal");
  if (refusal !== null && refusal !== "")
    output.push(messageItem(next("message"), [refusalPart(refusal)], status));
  const calls = field(message, "tool_calls");
  for (const call of Array.isArray(calls) ? calls.filter(isRecord) : []) {
    const fn = field(call, "function");
    const args = stringField(fn, "arguments") ?? "";
    const mapped = { id: stringField(call, "id"), name: stringField(fn, "name") ?? "", arguments: args };
    output.push(toolCallItem(mapped, context, output.length, status));
  }
  return responseObject(context, { ...end, output, usage: toResponsesUsage(body.usage) });
}
