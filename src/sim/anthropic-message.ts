/** The Anthropic Messages answer: the non-stream Message body and the named SSE events of a stream. */
import type { Answer } from "./answer.js";
import type { StreamLayout } from "./stream-shape.js";

/** What a message carries besides the answer. */
export interface MessageMeta {
  /** `msg_sim_<n>`. */
  readonly id: string;
  /** `toolu_sim_<n>`. */
  readonly toolUseId: string;
  readonly model: string;
}

type StopReason = "end_turn" | "max_tokens" | "tool_use" | "refusal";

const STOP_REASONS: Readonly<Record<Answer["finishReason"], StopReason>> = {
  stop: "end_turn",
  length: "max_tokens",
  tool_calls: "tool_use",
  content_filter: "refusal",
};

/** `event: <type>` + `data: <json>`, the framing of every Anthropic stream event. */
function sse(type: string, data: object): string {
  return `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
}

const MALFORMED = "event: content_block_delta\ndata: {not json\n\n";
const STREAM_ERROR = sse("error", { error: { type: "overloaded_error", message: "Overloaded" } });

function usage(answer: Answer, outputTokens: number): Record<string, number> {
  return {
    input_tokens: answer.usage.prompt_tokens,
    output_tokens: outputTokens,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
  };
}

/** Tool input: the parsed arguments, or `{}` when they were cut short by `max_tokens`. */
function toolInput(args: string): unknown {
  try {
    return JSON.parse(args) as unknown;
  } catch {
    return {};
  }
}

/**
 * The non-stream Message: `{id, type:"message", role:"assistant", model, content, stop_reason,
 * stop_sequence:null, usage}` with one text block (none when a `safety` fault kept no piece) or one
 * `tool_use` block `{id:"toolu_sim_<n>", name, input}`; `stop_reason` maps OpenAI's finish reason
 * (`stop` → `end_turn`, `length` → `max_tokens`, `tool_calls` → `tool_use`, `content_filter` → `refusal`).
 */
export function messageBody(answer: Answer, meta: MessageMeta): string {
  const content =
    answer.toolCall !== undefined
      ? [
          {
            type: "tool_use",
            id: meta.toolUseId,
            name: answer.toolCall.name,
            input: toolInput(answer.toolCall.arguments),
          },
        ]
      : answer.pieces.length > 0
        ? [{ type: "text", text: answer.content ?? "" }]
        : [];
  return JSON.stringify({
    id: meta.id,
    type: "message",
    role: "assistant",
    model: meta.model,
    content,
    stop_reason: STOP_REASONS[answer.finishReason],
    stop_sequence: null,
    usage: usage(answer, answer.usage.completion_tokens),
  });
}

/**
 * The stream events, in Anthropic's order: `message_start` (empty content, `stop_reason: null`, usage with
 * `output_tokens: 1`), `ping`, then for the block `content_block_start` (`text` with `""`, or `tool_use`
 * with `input: {}`), one `content_block_delta` per piece (`text_delta`, or `input_json_delta` fragments),
 * `content_block_stop`, then `message_delta` (`stop_reason`, cumulative usage) and `message_stop`.
 * Returns the events and their layout for {@link shapeEvents}.
 */
export function messageEvents(answer: Answer, meta: MessageMeta): { events: string[]; layout: StreamLayout } {
  const message = {
    id: meta.id,
    type: "message",
    role: "assistant",
    model: meta.model,
    content: [],
    stop_reason: null,
    stop_sequence: null,
    usage: usage(answer, 1),
  };
  const events = [sse("message_start", { message }), sse("ping", {})];
  const tool = answer.toolCall;
  const hasBlock = tool !== undefined || answer.pieces.length > 0;
  if (hasBlock) {
    const block =
      tool === undefined
        ? { type: "text", text: "" }
        : { type: "tool_use", id: meta.toolUseId, name: tool.name, input: {} };
    events.push(sse("content_block_start", { index: 0, content_block: block }));
    for (const piece of answer.pieces) {
      const delta =
        tool === undefined
          ? { type: "text_delta", text: piece }
          : { type: "input_json_delta", partial_json: piece };
      events.push(sse("content_block_delta", { index: 0, delta }));
    }
    events.push(sse("content_block_stop", { index: 0 }));
  }
  events.push(
    sse("message_delta", {
      delta: { stop_reason: STOP_REASONS[answer.finishReason], stop_sequence: null },
      usage: usage(answer, answer.usage.completion_tokens),
    }),
    sse("message_stop", {}),
  );
  const layout: StreamLayout = {
    head: hasBlock ? 3 : 2,
    pieces: answer.pieces.length,
    endMarkers: 1,
    malformed: MALFORMED,
    streamError: STREAM_ERROR,
  };
  return { events, layout };
}
