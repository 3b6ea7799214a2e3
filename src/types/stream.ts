import type { ChatCompletionChunkBody, Usage } from "./openai.js";

/**
 * One event of an upstream chat stream, already mapped to the OpenAI chunk format by the provider's
 * stream mapper. The relay reads only the summary fields; `data` is forwarded as it is.
 */
export type StreamEvent = StreamChunkEvent | StreamErrorEvent | StreamMalformedEvent | StreamDoneEvent;

/**
 * The events of one upstream read. `raw` holds exactly the bytes they came in when an OpenAI client
 * may be sent those bytes unchanged (an OpenAI-compatible upstream's events, nothing skipped), so a
 * pass-through writes them without building text; translated streams never have it.
 */
export type StreamBatch = StreamEvent[] & { raw?: Buffer | null };

/** A chunk of the answer. */
export interface StreamChunkEvent {
  type: "chunk";
  /** The chunk as OpenAI JSON text, exactly as it goes to an OpenAI client. */
  data: string;
  /** The parsed chunk, when the mapper had to parse it anyway. */
  chunk?: ChatCompletionChunkBody;
  /** True when the chunk carries answer content (text, tool calls, refusal): the commit point. */
  content: boolean;
  /** The first non-null finish reason in the chunk, if any. */
  finishReason: string | null;
  /** Usage, when this chunk carries it. */
  usage: Usage | null;
  /** True for the extra `include_usage` chunk (`choices: []`), dropped when the caller did not ask for it. */
  usageOnly: boolean;
}

/** An error reported inside the stream (`data: {"error": …}` or Anthropic's `error` event). */
export interface StreamErrorEvent {
  type: "error";
  /** Upstream error type or code, e.g. `overloaded_error`, `server_error`. */
  errorType: string | null;
  message: string;
  /** The raw payload, for the cause. */
  payload: unknown;
}

/** An event that could not be understood; skipped and counted. */
export interface StreamMalformedEvent {
  type: "malformed";
  data: string;
}

/** The upstream's explicit end (`data: [DONE]`, Anthropic `message_stop`). */
export interface StreamDoneEvent {
  type: "done";
}
