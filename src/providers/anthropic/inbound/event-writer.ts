import type { ChatCompletionChunkBody, Usage } from "../../../types/index.js";
import { isRecord } from "../../../util/index.js";
import type { JsonObject } from "../fields.js";
import { createChunkSegmenter, type Segment, type SegmentEvent } from "./chunk-segments.js";
import { anthropicToolUseId } from "./ids.js";
import { matchedStopSequence, toAnthropicStop } from "./stop-reason.js";
import { anthropicEvent } from "./sse.js";
import { anthropicCounts } from "./usage.js";

/** What the writer needs to know before the first chunk. */
export interface AnthropicEventWriterOptions {
  /** The model the client asked for (echoed in `message_start`). */
  model: string;
  /** The message id (`msg_…`). */
  messageId: string;
  /** The caller's estimate of the prompt's tokens, for `message_start` when the first chunk has no usage. */
  inputTokens?: number;
}

/** Turns one OpenAI chat stream into Anthropic Messages SSE text. Each method returns the text of zero or more events. */
export interface AnthropicEventWriter {
  /** Reads one parsed chat chunk. */
  write(chunk: ChatCompletionChunkBody): string;
  /** The stream ended: closes the open blocks, then `message_delta` and `message_stop`. */
  finish(): string;
  /** An in-band `error` event (`{"type":"error","error":{type, message}}`); the stream is over. */
  error(type: string, message: string): string;
}

function blockOf(segment: Segment, messageId: string): JsonObject {
  switch (segment.kind) {
    case "reasoning":
      return { type: "thinking", thinking: "", signature: "" };
    case "tool":
      return {
        type: "tool_use",
        id: anthropicToolUseId(segment.id, messageId, segment.ordinal),
        name: segment.name ?? "",
        input: {},
        caller: { type: "direct" },
      };
    default:
      return { type: "text", text: "", citations: null };
  }
}

function deltaOf(segment: Segment, text: string): JsonObject {
  if (segment.kind === "reasoning") return { type: "thinking_delta", thinking: text };
  if (segment.kind === "tool") return { type: "input_json_delta", partial_json: text };
  return { type: "text_delta", text };
}

/** Unknown input counts are `null` in Anthropic usage; known ones come from the last usage seen. */
function usageCounts(usage: Usage | null): {
  input: number | null;
  cacheRead: number | null;
  output: number;
} {
  if (usage === null) return { input: null, cacheRead: null, output: 0 };
  const counts = anthropicCounts(usage);
  return { input: counts.input, cacheRead: counts.cacheRead, output: counts.output };
}

class AnthropicWriter implements AnthropicEventWriter {
  private readonly segmenter = createChunkSegmenter();
  private started = false;
  private pinged = false;
  private over = false;
  private usage: Usage | null = null;
  private finishReason: string | null = null;
  private stopSequence: string | null = null;
  private toolCalls = false;

  constructor(private readonly options: AnthropicEventWriterOptions) {}

  write(chunk: ChatCompletionChunkBody): string {
    if (this.over) return "";
    if (isRecord(chunk.usage)) this.usage = chunk.usage;
    let out = this.start();
    const choices = Array.isArray(chunk.choices) ? chunk.choices : [];
    const choice = choices.find((item) => item.index === 0) ?? choices[0];
    if (choice === undefined) return out;
    out += this.render(this.segmenter.push(choice.delta));
    if (typeof choice.finish_reason === "string" && choice.finish_reason !== "") {
      this.finishReason = choice.finish_reason;
      this.stopSequence = matchedStopSequence(choice);
      out += this.render(this.segmenter.end());
    }
    return out;
  }

  finish(): string {
    if (this.over) return "";
    this.over = true;
    let out = this.start() + this.render(this.segmenter.end());
    if (!this.pinged) out += anthropicEvent({ type: "ping" });
    return out + this.messageDelta() + anthropicEvent({ type: "message_stop" });
  }

  error(type: string, message: string): string {
    if (this.over) return "";
    this.over = true;
    return anthropicEvent({ type: "error", error: { type, message } });
  }

  private start(): string {
    if (this.started) return "";
    this.started = true;
    const counts = usageCounts(this.usage);
    const message = {
      id: this.options.messageId,
      type: "message",
      role: "assistant",
      model: this.options.model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      stop_details: null,
      container: null,
      usage: {
        input_tokens: counts.input ?? Math.max(0, Math.round(this.options.inputTokens ?? 0)),
        output_tokens: 0,
        cache_creation_input_tokens: counts.input === null ? null : 0,
        cache_read_input_tokens: counts.cacheRead,
        cache_creation: null,
        server_tool_use: null,
        service_tier: null,
        inference_geo: null,
      },
    };
    return anthropicEvent({ type: "message_start", message });
  }

  private render(events: readonly SegmentEvent[]): string {
    let out = "";
    for (const event of events) {
      const index = event.segment.ordinal;
      if (event.type === "open") {
        if (event.segment.kind === "tool") this.toolCalls = true;
        const block = blockOf(event.segment, this.options.messageId);
        out += anthropicEvent({ type: "content_block_start", index, content_block: block });
        if (!this.pinged) out += anthropicEvent({ type: "ping" });
        this.pinged = true;
      } else if (event.type === "delta") {
        out += anthropicEvent({
          type: "content_block_delta",
          index,
          delta: deltaOf(event.segment, event.text),
        });
      } else {
        out += anthropicEvent({ type: "content_block_stop", index });
      }
    }
    return out;
  }

  private messageDelta(): string {
    const stop = toAnthropicStop(this.finishReason, this.toolCalls, this.stopSequence);
    const counts = usageCounts(this.usage);
    return anthropicEvent({
      type: "message_delta",
      delta: { ...stop, stop_details: null, container: null },
      usage: {
        input_tokens: counts.input,
        output_tokens: counts.output,
        cache_creation_input_tokens: counts.input === null ? null : 0,
        cache_read_input_tokens: counts.cacheRead,
        server_tool_use: null,
      },
    });
  }
}

/**
 * Creates the stateful mapper of an OpenAI chat stream (choice 0) to Anthropic's event sequence:
 * - first `message_start` (empty content, `stop_reason: null`, `usage.input_tokens` from the first
 *   chunk's usage when it has one, else `options.inputTokens`, else 0), then `ping`;
 * - every content run becomes one block, started, streamed and stopped before the next starts:
 *   reasoning (`reasoning_content` / `reasoning`) → `thinking` + `thinking_delta` (signature ""),
 *   content and refusals → `text` + `text_delta`, each tool call → `tool_use` (id kept, made
 *   Anthropic-safe; name) + `input_json_delta` fragments. Parallel tool calls stream one after the
 *   other; interleaved ones are buffered until the open call's JSON is complete (see
 *   {@link createChunkSegmenter});
 * - the chunk with `finish_reason` stops the open blocks; {@link AnthropicEventWriter.finish} then
 *   sends `message_delta` (stop reason mapped as {@link toAnthropicStop}; usage from the last usage
 *   seen: `output_tokens`, `input_tokens` without cache reads, `cache_read_input_tokens`; without
 *   any usage `output_tokens: 0` and null input counts) and `message_stop`.
 * A stream that ends without a finish reason still finishes as `end_turn` (or `tool_use`): telling
 * a truncated stream apart is the caller's job (it sends {@link AnthropicEventWriter.error} instead).
 * After `finish` or `error`, every method returns "".
 */
export function createAnthropicEventWriter(options: AnthropicEventWriterOptions): AnthropicEventWriter {
  return new AnthropicWriter(options);
}
