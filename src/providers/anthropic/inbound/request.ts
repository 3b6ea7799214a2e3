import { InvalidRequestError } from "../../../errors/index.js";
import type { ChatRequest } from "../../../types/index.js";
import { isRecord } from "../../../util/index.js";
import { stringField, type JsonObject } from "../fields.js";
import { toChatMessages } from "./messages.js";
import { describe, optionalBoolean, optionalNumber, requireRecord, requiredString } from "./read.js";
import { reasoningEffort, responseFormat } from "./reasoning.js";
import { toChatTools } from "./tools.js";

function stopSequences(value: unknown): string[] | null {
  if (value === undefined || value === null) return null;
  if (!Array.isArray(value) || !value.every((item) => typeof item === "string")) {
    throw new InvalidRequestError(`stop_sequences must be an array of strings, not ${describe(value)}.`, {
      param: "stop_sequences",
    });
  }
  const list = (value as string[]).filter((item) => item !== "");
  return list.length === 0 ? null : list;
}

function maxTokens(body: JsonObject, required: boolean): number | null {
  const value = optionalNumber(body, "max_tokens");
  if (value === null) {
    if (required) throw new InvalidRequestError("max_tokens is required.", { param: "max_tokens" });
    return null;
  }
  if (!Number.isInteger(value) || value < 1) {
    throw new InvalidRequestError("max_tokens must be a positive integer.", { param: "max_tokens" });
  }
  return value;
}

/** The fields both `POST /v1/messages` and `count_tokens` map: model, messages, tools, output options. */
function baseRequest(body: JsonObject): ChatRequest {
  const model = requiredString(body, "model");
  const request: ChatRequest = { model, messages: toChatMessages(body["system"], body["messages"]) };
  Object.assign(request, toChatTools(body["tools"], body["tool_choice"]));
  const effort = reasoningEffort(body);
  if (effort !== null) request["reasoning_effort"] = effort;
  const format = responseFormat(body);
  if (format !== null) request["response_format"] = format;
  return request;
}

/**
 * Anthropic Messages request (`POST /v1/messages`, as Claude Code and the Anthropic SDK send it) →
 * OpenAI chat completions request, for any upstream that is not Anthropic itself. Pure.
 *
 * - `system` (a string or text blocks) → the first system message, blocks joined by a blank line,
 *   `cache_control` dropped; messages: see {@link toChatMessages} (tool results become tool
 *   messages, thinking blocks are dropped);
 * - `tools` / `tool_choice` (`disable_parallel_tool_use` → `parallel_tool_calls: false`): see
 *   {@link toChatTools}; server tools are dropped ({@link droppedAnthropicTools} lists them);
 * - `max_tokens` (required, integer ≥ 1) → `max_tokens` (the name every OpenAI-compatible vendor
 *   takes; OpenAI's reasoning models want `max_completion_tokens`), `stop_sequences` → `stop`,
 *   `temperature` and `top_p` as they are, `top_k` dropped (OpenAI refuses unknown fields);
 * - `thinking` / `output_config.effort` → `reasoning_effort` (see {@link reasoningEffort}),
 *   `output_config.format` → `response_format` json_schema;
 * - `metadata.user_id` → `user`; `stream: true` → `stream: true` and `stream_options:
 *   {include_usage: true}` (the usage chunk feeds `message_delta.usage`);
 * - dropped: `service_tier`, `container`, `mcp_servers`, `context_management`, `cache_control` and
 *   any field this list does not name.
 * Throws InvalidRequestError (with `param`) for a body that is not a valid Messages request.
 */
export function fromAnthropicRequest(body: unknown): ChatRequest {
  const root = requireRecord(body, "body");
  const request = baseRequest(root);
  request.max_tokens = maxTokens(root, true);
  const stop = stopSequences(root["stop_sequences"]);
  if (stop !== null) request["stop"] = stop;
  for (const key of ["temperature", "top_p"]) {
    const value = optionalNumber(root, key);
    if (value !== null) request[key] = value;
  }
  optionalNumber(root, "top_k");
  const metadata = root["metadata"];
  if (metadata !== undefined && metadata !== null && !isRecord(metadata)) {
    throw new InvalidRequestError("metadata must be an object.", { param: "metadata" });
  }
  const user = stringField(metadata, "user_id");
  if (user !== null && user !== "") request["user"] = user;
  if (optionalBoolean(root, "stream") === true) {
    request.stream = true;
    request.stream_options = { include_usage: true };
  }
  return request;
}

/**
 * Anthropic `POST /v1/messages/count_tokens` request → an OpenAI chat request holding the same
 * prompt (system, messages, tools, tool_choice, thinking), for the caller's token estimate.
 * `max_tokens` is not needed (taken when given); nothing streams.
 */
export function fromAnthropicCountTokensRequest(body: unknown): ChatRequest {
  const root = requireRecord(body, "body");
  const request = baseRequest(root);
  const max = maxTokens(root, false);
  if (max !== null) request.max_tokens = max;
  return request;
}

/** The answer of `count_tokens`: `{input_tokens}` (a non-negative integer). */
export function toAnthropicCountTokens(inputTokens: number): { input_tokens: number } {
  return { input_tokens: Math.max(0, Math.round(inputTokens)) };
}
