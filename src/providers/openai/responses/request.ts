import { InvalidRequestError } from "../../../errors/index.js";
import type { ChatRequest } from "../../../types/index.js";
import { isRecord } from "../../../util/index.js";
import { toChatMessages } from "./input-items.js";
import { optional, requireRecord, stringField, type JsonObject } from "./read.js";
import { toResponseFormat } from "./text-format.js";
import { toChatTools } from "./tools.js";

/** A Responses request mapped for a chat upstream, with what the caller and the answer need. */
export interface ResponsesInbound {
  request: ChatRequest;
  /** Names of custom tools: their calls come back as `custom_tool_call` items (pass to the response mappers). */
  customTools: string[];
  /** Tools dropped because a chat upstream cannot run them (`web_search`, `mcp:server`, …), for a debug log. */
  droppedTools: string[];
  /** Input item types dropped (built-in tool records such as `web_search_call`), for a debug log. */
  droppedItems: string[];
  /** `previous_response_id`: the caller resolves it and passes the history (see {@link ResponsesRequestOptions}). */
  previousResponseId: string | null;
  /** `store` (default true): whether the caller should keep this response for a later `previous_response_id`. */
  store: boolean;
}

/** Options of {@link fromResponsesRequest}. */
export interface ResponsesRequestOptions {
  /**
   * The conversation `previous_response_id` points at, as Responses input items (what
   * {@link responsesHistory} returned for that response), put before `input`.
   */
  history?: readonly unknown[];
}

/** Fields whose feature needs state or services a chat upstream does not have: refused. */
const refused: ReadonlyArray<readonly [string, string]> = [
  ["conversation", "conversation objects are not supported; send the input items (or previous_response_id)."],
  ["prompt", "prompt templates are not supported; send instructions and input."],
];

function refuseUnsupported(body: JsonObject): void {
  for (const [key, why] of refused) {
    if (body[key] !== undefined && body[key] !== null)
      throw new InvalidRequestError(`${key}: ${why}`, { param: key });
  }
  if (body["background"] === true) {
    throw new InvalidRequestError("background: background responses are not supported.", {
      param: "background",
    });
  }
}

function reasoningEffort(body: JsonObject): string | null {
  const reasoning = body["reasoning"];
  if (reasoning === undefined || reasoning === null) return null;
  if (!isRecord(reasoning))
    throw new InvalidRequestError("reasoning must be an object.", { param: "reasoning" });
  const effort = reasoning["effort"];
  if (effort === undefined || effort === null) return null;
  if (typeof effort !== "string") {
    throw new InvalidRequestError("reasoning.effort must be a string.", { param: "reasoning.effort" });
  }
  return effort;
}

function addOptions(request: ChatRequest, body: JsonObject): void {
  const max = optional(body, "max_output_tokens", "number");
  if (max !== null) {
    if (!Number.isInteger(max) || max < 1) {
      throw new InvalidRequestError("max_output_tokens must be a positive integer.", {
        param: "max_output_tokens",
      });
    }
    request.max_tokens = max;
  }
  for (const key of ["temperature", "top_p"]) {
    const value = optional(body, key, "number");
    if (value !== null) request[key] = value;
  }
  const format = toResponseFormat(body["text"]);
  if (format !== null) request["response_format"] = format;
  const effort = reasoningEffort(body);
  if (effort !== null) request["reasoning_effort"] = effort;
  for (const key of ["prompt_cache_key", "user", "safety_identifier"]) {
    const value = optional(body, key, "string");
    if (value !== null && value !== "") request[key] = value;
  }
  if (optional(body, "stream", "boolean") === true) {
    request.stream = true;
    request.stream_options = { include_usage: true };
  }
}

/**
 * OpenAI Responses request (`POST /v1/responses`, as Codex CLI and the AI SDK send it) → an OpenAI
 * chat completions request for a chat upstream. Pure.
 *
 * - `instructions` → the first system message; `options.history` (the resolved
 *   `previous_response_id` conversation) then `input` (a string, or items: see
 *   {@link toChatMessages}) → the messages;
 * - `tools` / `tool_choice` / `parallel_tool_calls`: see {@link toChatTools} (custom tools become
 *   function tools with one `input` string; built-in tools are dropped and listed);
 * - `text.format` → `response_format` ({@link toResponseFormat}); `max_output_tokens` →
 *   `max_tokens`; `temperature`, `top_p` kept; `reasoning.effort` → `reasoning_effort`;
 *   `prompt_cache_key`, `user`, `safety_identifier` kept; `stream: true` → `stream` and
 *   `stream_options: {include_usage: true}`;
 * - `store` and `previous_response_id` are returned, not sent (`store` on chat means something
 *   else); `metadata`, `include`, `truncation`, `service_tier`, `max_tool_calls`, `top_logprobs`,
 *   `text.verbosity`, `reasoning.summary` and unknown fields are dropped (echoed in the response);
 *   `conversation`, `prompt` and `background: true` are refused.
 * Throws InvalidRequestError (with `param`) for a body that is not a valid Responses request.
 */
export function fromResponsesRequest(body: unknown, options: ResponsesRequestOptions = {}): ResponsesInbound {
  const root = requireRecord(body, "body");
  const model = stringField(root, "model");
  if (model === null || model === "") throw new InvalidRequestError("model is required.", { param: "model" });
  refuseUnsupported(root);
  const messages: JsonObject[] = [];
  const instructions = optional(root, "instructions", "string");
  if (instructions !== null && instructions !== "") messages.push({ role: "system", content: instructions });
  const history = toChatMessages(options.history ?? [], "history");
  const input =
    root["input"] === undefined || root["input"] === null
      ? { messages: [], droppedItems: [] }
      : toChatMessages(root["input"]);
  messages.push(...history.messages, ...input.messages);
  if (!messages.some((message) => message["role"] !== "system")) {
    throw new InvalidRequestError("input is required (no message to answer).", { param: "input" });
  }
  const tools = toChatTools(root["tools"], root["tool_choice"], root["parallel_tool_calls"]);
  const request: ChatRequest = { model, messages };
  const { customTools, droppedTools, ...chatTools } = tools;
  Object.assign(request, chatTools);
  addOptions(request, root);
  return {
    request,
    customTools,
    droppedTools,
    droppedItems: [...history.droppedItems, ...input.droppedItems],
    previousResponseId: optional(root, "previous_response_id", "string"),
    store: optional(root, "store", "boolean") ?? true,
  };
}
