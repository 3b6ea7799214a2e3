import { isRecord } from "../../../util/index.js";
import { field, type JsonObject } from "./read.js";
import type { ResponsesUsage } from "./usage.js";

/** What the response mappers need besides the chat answer. */
export interface ResponsesContext {
  /** The client's Responses request body: its model and settings are echoed. */
  body: unknown;
  /** The response id (`resp_…`), minted by the caller; item ids derive from it. */
  responseId: string;
  /** Unix seconds. */
  createdAt: number;
  /** {@link ResponsesInbound.customTools}: tool calls with these names become `custom_tool_call` items. */
  customTools: readonly string[];
}

/** The parts of a response object that change as it runs. */
export interface ResponseState {
  status: "in_progress" | "completed" | "incomplete" | "failed";
  output: JsonObject[];
  usage: ResponsesUsage | null;
  error?: { code: string; message: string } | null;
  incomplete_details?: { reason: string } | null;
}

function given<T>(value: unknown, check: (value: unknown) => value is T, fallback: T): T {
  return check(value) ? value : fallback;
}

const isString = (value: unknown): value is string => typeof value === "string";
const isNumber = (value: unknown): value is number => typeof value === "number" && Number.isFinite(value);
const isBoolean = (value: unknown): value is boolean => typeof value === "boolean";
const isObject = (value: unknown): value is JsonObject => isRecord(value);
const isArray = (value: unknown): value is unknown[] => Array.isArray(value);
const isChoice = (value: unknown): value is string | JsonObject =>
  typeof value === "string" || isRecord(value);

function text(body: unknown): JsonObject {
  const format = given(field(field(body, "text"), "format"), isObject, { type: "text" });
  const verbosity = field(field(body, "text"), "verbosity");
  return typeof verbosity === "string" ? { format, verbosity } : { format };
}

function reasoning(body: unknown): JsonObject | null {
  const value = field(body, "reasoning");
  if (!isRecord(value)) return null;
  return { effort: given(value["effort"], isString, null), summary: given(value["summary"], isString, null) };
}

/**
 * A `response` object (the spec's Response): id, `object: "response"`, `created_at`, status and
 * output, usage (left out while unknown), and the request's settings echoed with the API's
 * defaults — `instructions` (null), `tools` ([]), `tool_choice` ("auto"), `parallel_tool_calls`
 * (true), `text` ({format: {type: "text"}}), `temperature` and `top_p` (1), `max_output_tokens`
 * (null), `store` (true), `metadata` ({}), `previous_response_id`, `reasoning`, `prompt_cache_key`,
 * `safety_identifier` (null), `truncation` ("disabled"), `background` (false), `user` (when given).
 */
export function responseObject(context: ResponsesContext, state: ResponseState): JsonObject {
  const body = context.body;
  const response: JsonObject = {
    id: context.responseId,
    object: "response",
    created_at: context.createdAt,
    status: state.status,
    background: false,
    error: state.error ?? null,
    incomplete_details: state.incomplete_details ?? null,
    instructions: given(field(body, "instructions"), isString, null),
    max_output_tokens: given(field(body, "max_output_tokens"), isNumber, null),
    model: given(field(body, "model"), isString, ""),
    output: state.output,
    parallel_tool_calls: given(field(body, "parallel_tool_calls"), isBoolean, true),
    previous_response_id: given(field(body, "previous_response_id"), isString, null),
    prompt_cache_key: given(field(body, "prompt_cache_key"), isString, null),
    reasoning: reasoning(body),
    safety_identifier: given(field(body, "safety_identifier"), isString, null),
    store: given(field(body, "store"), isBoolean, true),
    temperature: given(field(body, "temperature"), isNumber, 1),
    text: text(body),
    tool_choice: given(field(body, "tool_choice"), isChoice, "auto"),
    tools: given(field(body, "tools"), isArray, []),
    top_p: given(field(body, "top_p"), isNumber, 1),
    truncation: given(field(body, "truncation"), isString, "disabled"),
    metadata: given(field(body, "metadata"), isObject, {}),
  };
  const user = field(body, "user");
  if (typeof user === "string") response["user"] = user;
  if (state.usage !== null) response["usage"] = state.usage;
  return response;
}
