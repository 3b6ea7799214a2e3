import type { ChatCompletionChunkBody, StreamEvent, Usage } from "../../types/index.js";
import { isRecord, safeJsonParse, type SseMessage } from "../../util/index.js";
import { readAnthropicError } from "./error.js";
import { field, numberField, recordField, stringField, type JsonObject } from "./fields.js";
import { anthropicFinishReason } from "./finish-reason.js";
import { anthropicUsage, mergeAnthropicUsage } from "./usage.js";

/** What the mapper remembers between events of one stream. */
interface StreamState {
  readonly created: number;
  id: string;
  model: string;
  /** Anthropic content block index → OpenAI tool call index (a running count of tool_use blocks). */
  readonly toolIndexes: Map<number, number>;
  /** The usage so far: `message_start`'s, overlaid with each `message_delta`'s. */
  usage: JsonObject;
}

function chunkEvent(
  state: StreamState,
  delta: JsonObject,
  options: { content: boolean; finishReason?: string | null },
): StreamEvent {
  const finishReason = options.finishReason ?? null;
  const chunk: ChatCompletionChunkBody = {
    id: state.id,
    object: "chat.completion.chunk",
    created: state.created,
    model: state.model,
    choices: [{ index: 0, delta, finish_reason: finishReason, logprobs: null }],
  };
  return {
    type: "chunk",
    data: JSON.stringify(chunk),
    chunk,
    content: options.content,
    finishReason,
    usage: null,
    usageOnly: false,
  };
}

function usageEvent(state: StreamState): StreamEvent {
  const usage: Usage = anthropicUsage(state.usage);
  const chunk: ChatCompletionChunkBody = {
    id: state.id,
    object: "chat.completion.chunk",
    created: state.created,
    model: state.model,
    choices: [],
    usage,
  };
  return {
    type: "chunk",
    data: JSON.stringify(chunk),
    chunk,
    content: false,
    finishReason: null,
    usage,
    usageOnly: true,
  };
}

function onMessageStart(state: StreamState, event: JsonObject): StreamEvent[] {
  const message = recordField(event, "message");
  state.id = stringField(message, "id") ?? state.id;
  state.model = stringField(message, "model") ?? state.model;
  state.usage = mergeAnthropicUsage(state.usage, field(message, "usage"));
  return [chunkEvent(state, { role: "assistant", content: "" }, { content: false })];
}

function onBlockStart(state: StreamState, event: JsonObject): StreamEvent[] {
  const block = recordField(event, "content_block");
  const type = stringField(block, "type");
  if (type === "text") {
    const text = stringField(block, "text") ?? "";
    return text === "" ? [] : [chunkEvent(state, { content: text }, { content: true })];
  }
  if (type !== "tool_use") return []; // thinking, redacted_thinking, server tools: not for the caller.
  const index = state.toolIndexes.size;
  state.toolIndexes.set(numberField(event, "index") ?? -1, index);
  const call = {
    index,
    id: stringField(block, "id") ?? "",
    type: "function",
    function: { name: stringField(block, "name") ?? "", arguments: "" },
  };
  return [chunkEvent(state, { tool_calls: [call] }, { content: true })];
}

function onBlockDelta(state: StreamState, event: JsonObject): StreamEvent[] {
  const delta = recordField(event, "delta");
  switch (stringField(delta, "type")) {
    case "text_delta": {
      const text = stringField(delta, "text") ?? "";
      return text === "" ? [] : [chunkEvent(state, { content: text }, { content: true })];
    }
    case "input_json_delta": {
      const index = state.toolIndexes.get(numberField(event, "index") ?? -1);
      const json = stringField(delta, "partial_json") ?? "";
      if (index === undefined || json === "") return [];
      return [
        chunkEvent(state, { tool_calls: [{ index, function: { arguments: json } }] }, { content: true }),
      ];
    }
    default:
      return []; // thinking_delta, signature_delta, citations_delta
  }
}

function onMessageDelta(state: StreamState, event: JsonObject): StreamEvent[] {
  state.usage = mergeAnthropicUsage(state.usage, event["usage"]);
  const finishReason = anthropicFinishReason(stringField(recordField(event, "delta"), "stop_reason"));
  return finishReason === null ? [] : [chunkEvent(state, {}, { content: false, finishReason })];
}

function onError(event: JsonObject): StreamEvent[] {
  const fields = readAnthropicError(event);
  return [
    {
      type: "error",
      errorType: fields.type ?? fields.code,
      message: fields.message ?? "Anthropic stream error",
      payload: event,
    },
  ];
}

function mapEvent(state: StreamState, event: JsonObject, type: string | null): StreamEvent[] {
  switch (type) {
    case "message_start":
      return onMessageStart(state, event);
    case "content_block_start":
      return onBlockStart(state, event);
    case "content_block_delta":
      return onBlockDelta(state, event);
    case "message_delta":
      return onMessageDelta(state, event);
    case "message_stop":
      return [usageEvent(state), { type: "done" }];
    case "error":
      return onError(event);
    default:
      return []; // ping, content_block_stop, and event types added later
  }
}

/**
 * A stateful mapper of one Anthropic Messages SSE stream to OpenAI chunk events; feed it every
 * message of the stream in order. Every chunk has the message id and model of `message_start`,
 * `created = floor(now / 1000)` and one choice `{index: 0, delta, finish_reason, logprobs: null}`:
 * - `message_start` → `delta: {role: "assistant", content: ""}` (not content);
 * - `text_delta` → `delta.content`; `content_block_start` of a `tool_use` → `delta.tool_calls[{index:
 *   k, id, type, function: {name, arguments: ""}}]` with k counting tool calls from 0 (not the block
 *   index); `input_json_delta` → `delta.tool_calls[{index: k, function: {arguments}}]` (empty ones
 *   skipped); thinking, signature and citation deltas give nothing;
 * - `message_delta` → `delta: {}` with the finish reason; its usage (cumulative output tokens,
 *   sometimes final input counts) is kept;
 * - `message_stop` → the usage-only chunk (`choices: []`, always emitted; the engine drops it when
 *   the caller did not ask) and `done`;
 * - `error` → an error event (`errorType` = `error.type`); `ping` and unknown events → nothing;
 *   data that is not a JSON object → `malformed`.
 * The event type is read from the data's `type`, falling back to the SSE `event:` name.
 */
export function createAnthropicStreamMapper(options: {
  now: number;
}): (message: SseMessage) => StreamEvent[] {
  const state: StreamState = {
    created: Math.floor(options.now / 1000),
    id: "",
    model: "",
    toolIndexes: new Map(),
    usage: {},
  };
  return (message) => {
    const parsed = safeJsonParse(message.data);
    if (!isRecord(parsed)) return [{ type: "malformed", data: message.data }];
    return mapEvent(state, parsed, stringField(parsed, "type") ?? message.event ?? null);
  };
}
