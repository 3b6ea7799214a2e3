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
  const segmenter = createChunkSegmenter();
  const items = new Map<Segment, StreamItem>();
  const output: JsonObject[] = [];
  let sequence = 0;
  let started = false;
  let over = false;
  let usage: Usage | null = null;
  let finishReason: string | null = null;
  let state: ResponseState = { status: "in_progress", output: [], usage: null };

  function render(payloads: readonly Payload[]): string {
    return payloads
      .map(({ type, ...rest }) => {
        const data = { type, sequence_number: sequence++, ...rest };
        return `event: ${type}\ndata: ${JSON.stringify(data)}\n\n`;
      })
      .join("");
  }

  function current(): JsonObject {
    return responseObject(context, { ...state, output: output.filter(isRecord) });
  }

  function start(): string {
    if (started) return "";
    started = true;
    const response = current();
    return render([
      { type: "response.created", response },
      { type: "response.in_progress", response },
    ]);
  }

  function onSegments(events: readonly SegmentEvent[], closing: ItemStatus): string {
    const payloads: Payload[] = [];
    for (const event of events) {
      if (event.type === "open") {
        const item = streamItem(event.segment, context);
        items.set(event.segment, item);
        payloads.push(...item.open());
      } else if (event.type === "delta") {
        payloads.push(...(items.get(event.segment)?.delta(event.text) ?? []));
      } else {
        const closed = items.get(event.segment)?.close(closing);
        if (closed === undefined) continue;
        output[event.segment.ordinal] = closed.item;
        payloads.push(...closed.payloads);
      }
    }
    return render(payloads);
  }

  return {
    write(chunk) {
      if (over) return "";
      if (isRecord(chunk.usage)) usage = chunk.usage;
      let out = start();
      const choices = Array.isArray(chunk.choices) ? chunk.choices : [];
      const choice = choices.find((item) => item.index === 0) ?? choices[0];
      if (choice === undefined) return out;
      out += onSegments(segmenter.push(choice.delta), "completed");
      if (typeof choice.finish_reason === "string" && choice.finish_reason !== "") {
        finishReason = choice.finish_reason;
        out += onSegments(segmenter.end(), responseEnd(finishReason).status);
      }
      return out;
    },
    finish() {
      if (over) return "";
      over = true;
      const end = responseEnd(finishReason);
      let out = start() + onSegments(segmenter.end(), end.status);
      state = { ...end, output: [], usage: toResponsesUsage(usage) };
      const response = current();
      out += render([
        { type: end.status === "incomplete" ? "response.incomplete" : "response.completed", response },
      ]);
      return out;
    },
    failed(error) {
      if (over) return "";
      over = true;
      let out = start();
      const code = error.code ?? "server_error";
      state = {
        status: "failed",
        output: [],
        usage: toResponsesUsage(usage),
        error: { code, message: error.message },
      };
      out += render([{ type: "response.failed", response: current() }]);
      return out;
    },
    error(error) {
      if (over) return "";
      over = true;
      return render([
        { type: "error", code: error.code ?? null, message: error.message, param: error.param ?? null },
      ]);
    },
    response: current,
  };
}
