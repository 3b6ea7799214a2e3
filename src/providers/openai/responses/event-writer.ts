import type { ChatCompletionChunkBody, Usage } from "../../../types/index.js";
import { isRecord } from "../../../util/index.js";
import { createChunkSegmenter, type Segment, type SegmentEvent } from "./chunk-segments.js";
import { responseEnd, type ItemStatus } from "./output-items.js";
import type { JsonObject } from "./read.js";
import { responseObject, type ResponsesContext, type ResponseState } from "./response-object.js";
import { streamItem, type Payload, type StreamItem } from "./stream-items.js";
import { toResponsesUsage } from "./usage.js";

/** An error for `response.failed` or the `error` event. */
export interface ResponsesStreamError {
  /** A Responses error code (`server_error`, `rate_limit_exceeded`, …); default `server_error`. */
  code?: string | null;
  message: string;
  param?: string | null;
}

/** Turns one OpenAI chat stream into Responses SSE text. Each method returns the text of zero or more events. */
export interface ResponsesEventWriter {
  /** Reads one parsed chat chunk. */
  write(chunk: ChatCompletionChunkBody): string;
  /** The stream ended: closes the open item, then `response.completed` (or `response.incomplete`). */
  finish(): string;
  /** A failure after the stream began: `response.failed` with `error`; the stream is over. */
  failed(error: ResponsesStreamError): string;
  /** The bare `error` event (`{type: "error", code, message, param}`); the stream is over. */
  error(error: ResponsesStreamError): string;
  /** The response object as it stands (the final one after `finish`), e.g. to store for `previous_response_id`. */
  response(): JsonObject;
}

class ResponsesWriter implements ResponsesEventWriter {
  private readonly segmenter = createChunkSegmenter();
  private readonly items = new Map<Segment, StreamItem>();
  private readonly output: JsonObject[] = [];
  private sequence = 0;
  private started = false;
  private over = false;
  private usage: Usage | null = null;
  private finishReason: string | null = null;
  private state: ResponseState = { status: "in_progress", output: [], usage: null };

  constructor(private readonly context: ResponsesContext) {}

  write(chunk: ChatCompletionChunkBody): string {
    if (this.over) return "";
    if (isRecord(chunk.usage)) this.usage = chunk.usage;
    let out = this.start();
    const choices = Array.isArray(chunk.choices) ? chunk.choices : [];
    const choice = choices.find((item) => item.index === 0) ?? choices[0];
    if (choice === undefined) return out;
    out += this.onSegments(this.segmenter.push(choice.delta), "completed");
    if (typeof choice.finish_reason === "string" && choice.finish_reason !== "") {
      this.finishReason = choice.finish_reason;
      out += this.onSegments(this.segmenter.end(), responseEnd(this.finishReason).status);
    }
    return out;
  }

  finish(): string {
    if (this.over) return "";
    this.over = true;
    const end = responseEnd(this.finishReason);
    const out = this.start() + this.onSegments(this.segmenter.end(), end.status);
    this.state = { ...end, output: [], usage: toResponsesUsage(this.usage) };
    const type = end.status === "incomplete" ? "response.incomplete" : "response.completed";
    return out + this.render([{ type, response: this.response() }]);
  }

  failed(error: ResponsesStreamError): string {
    if (this.over) return "";
    this.over = true;
    const out = this.start();
    const failure = { code: error.code ?? "server_error", message: error.message };
    this.state = { status: "failed", output: [], usage: toResponsesUsage(this.usage), error: failure };
    return out + this.render([{ type: "response.failed", response: this.response() }]);
  }

  error(error: ResponsesStreamError): string {
    if (this.over) return "";
    this.over = true;
    const payload = {
      type: "error",
      code: error.code ?? null,
      message: error.message,
      param: error.param ?? null,
    };
    return this.render([payload]);
  }

  response(): JsonObject {
    return responseObject(this.context, { ...this.state, output: this.output.filter(isRecord) });
  }

  private render(payloads: readonly Payload[]): string {
    return payloads
      .map(({ type, ...rest }) => {
        const data = { type, sequence_number: this.sequence++, ...rest };
        return `event: ${type}\ndata: ${JSON.stringify(data)}\n\n`;
      })
      .join("");
  }

  private start(): string {
    if (this.started) return "";
    this.started = true;
    const response = this.response();
    return this.render([
      { type: "response.created", response },
      { type: "response.in_progress", response },
    ]);
  }

  private onSegments(events: readonly SegmentEvent[], closing: ItemStatus): string {
    const payloads: Payload[] = [];
    for (const event of events) {
      if (event.type === "open") {
        const item = streamItem(event.segment, this.context);
        this.items.set(event.segment, item);
        payloads.push(...item.open());
      } else if (event.type === "delta") {
        payloads.push(...(this.items.get(event.segment)?.delta(event.text) ?? []));
      } else {
        const closed = this.items.get(event.segment)?.close(closing);
        if (closed === undefined) continue;
        this.output[event.segment.ordinal] = closed.item;
        payloads.push(...closed.payloads);
      }
    }
    return this.render(payloads);
  }
}

/**
 * Creates the stateful mapper of an OpenAI chat stream (choice 0) to the Responses event sequence.
 * Every event is `event: <type>` + `data: {"type", "sequence_number" (0, 1, …), …}`:
 * - `response.created` and `response.in_progress` (status `in_progress`, no output) before anything;
 * - each content run becomes one output item, `output_index` 0, 1, … in order, one at a time:
 *   text → `response.output_item.added` (message) → `response.content_part.added` (output_text) →
 *   `response.output_text.delta`… → `response.output_text.done` → `response.content_part.done` →
 *   `response.output_item.done`; refusals the same with `response.refusal.*`; reasoning
 *   (`reasoning_content` / `reasoning`) as a `reasoning` item with `response.reasoning_text.*`; a
 *   tool call → `response.output_item.added` (function_call) → `response.function_call_arguments.delta`…
 *   → `.done` → `response.output_item.done`; a call of a custom tool → a `custom_tool_call` item
 *   with `response.custom_tool_call_input.delta`… (the raw input, decoded from `{"input": "…"}` as it
 *   streams) → `.done`. Parallel and interleaved calls are ordered as {@link createChunkSegmenter} does;
 * - {@link ResponsesEventWriter.finish}: `response.completed` with every item and the usage, or
 *   `response.incomplete` for `length` / `content_filter` (the items closed then are `incomplete`).
 * After `finish`, `failed` or `error`, every method returns "".
 */
export function createResponsesEventWriter(context: ResponsesContext): ResponsesEventWriter {
  return new ResponsesWriter(context);
}
