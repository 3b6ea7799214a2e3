import type { Segment } from "./chunk-segments.js";
import { createWrappedInputDecoder, unwrapCustomInput } from "./custom-input.js";
import { itemId } from "./ids.js";
import {
  messageItem,
  outputTextPart,
  reasoningItem,
  reasoningTextPart,
  refusalPart,
  type ItemStatus,
} from "./output-items.js";
import type { JsonObject } from "./read.js";
import type { ResponsesContext } from "./response-object.js";
import { toolCallItem } from "./response.js";

/** An event payload without its `sequence_number` (the writer numbers them). */
export type Payload = { type: string } & JsonObject;

/** One output item being streamed: the events it opens with, adds and closes with. */
export interface StreamItem {
  open(): Payload[];
  delta(text: string): Payload[];
  /** The closing events and the finished item (for the final response's `output`). */
  close(status: ItemStatus): { payloads: Payload[]; item: JsonObject };
}

interface PartKind {
  item: "message" | "reasoning";
  part: (text: string) => JsonObject;
  delta: string;
  done: string;
  /** The key of the text in the `.done` event (`text` or `refusal`). */
  key: string;
  logprobs: boolean;
}

const partKinds: Readonly<Record<"text" | "refusal" | "reasoning", PartKind>> = {
  text: {
    item: "message",
    part: outputTextPart,
    delta: "response.output_text.delta",
    done: "response.output_text.done",
    key: "text",
    logprobs: true,
  },
  refusal: {
    item: "message",
    part: refusalPart,
    delta: "response.refusal.delta",
    done: "response.refusal.done",
    key: "refusal",
    logprobs: false,
  },
  reasoning: {
    item: "reasoning",
    part: reasoningTextPart,
    delta: "response.reasoning_text.delta",
    done: "response.reasoning_text.done",
    key: "text",
    logprobs: false,
  },
};

/** A message (text or refusal) or reasoning item: one content part, streamed as text deltas. */
function partItem(kind: PartKind, id: string, outputIndex: number): StreamItem {
  const where = { item_id: id, output_index: outputIndex, content_index: 0 };
  const logprobs = kind.logprobs ? { logprobs: [] } : {};
  const build = kind.item === "message" ? messageItem : reasoningItem;
  let text = "";
  return {
    open: () => [
      { type: "response.output_item.added", output_index: outputIndex, item: build(id, [], "in_progress") },
      { type: "response.content_part.added", ...where, part: kind.part("") },
    ],
    delta(piece) {
      text += piece;
      return [{ type: kind.delta, ...where, delta: piece, ...logprobs }];
    },
    close(status) {
      const part = kind.part(text);
      const item = build(id, [part], status);
      return {
        item,
        payloads: [
          { type: kind.done, ...where, [kind.key]: text, ...logprobs },
          { type: "response.content_part.done", ...where, part },
          { type: "response.output_item.done", output_index: outputIndex, item },
        ],
      };
    },
  };
}

/** A function call item: arguments streamed as they come. */
function functionItem(segment: Segment, context: ResponsesContext): StreamItem {
  const outputIndex = segment.ordinal;
  const call = (): { id: string | null; name: string; arguments: string } => ({
    id: segment.id,
    name: segment.name ?? "",
    arguments: segment.content,
  });
  const start = toolCallItem({ ...call(), arguments: "" }, context, outputIndex, "in_progress");
  const where = { item_id: String(start["id"]), output_index: outputIndex };
  return {
    open: () => [{ type: "response.output_item.added", output_index: outputIndex, item: start }],
    delta: (piece) => [{ type: "response.function_call_arguments.delta", ...where, delta: piece }],
    close(status) {
      const item = toolCallItem(call(), context, outputIndex, status);
      return {
        item,
        payloads: [
          {
            type: "response.function_call_arguments.done",
            ...where,
            name: call().name,
            arguments: segment.content,
          },
          { type: "response.output_item.done", output_index: outputIndex, item },
        ],
      };
    },
  };
}

/**
 * A custom tool call item: the upstream streams `{"input": "…"}`; the raw input streams as it is
 * decoded; at the end whatever the deltas missed is sent, so they always add up to the final input.
 */
function customItem(segment: Segment, context: ResponsesContext): StreamItem {
  const outputIndex = segment.ordinal;
  const decoder = createWrappedInputDecoder();
  let streamed = "";
  const call = () => ({ id: segment.id, name: segment.name ?? "", arguments: segment.content });
  const start = toolCallItem({ ...call(), arguments: "" }, context, outputIndex, "in_progress");
  const where = { item_id: String(start["id"]), output_index: outputIndex };
  const delta = (text: string): Payload[] => {
    if (text === "") return [];
    streamed += text;
    return [{ type: "response.custom_tool_call_input.delta", ...where, delta: text }];
  };
  return {
    open: () => [{ type: "response.output_item.added", output_index: outputIndex, item: start }],
    delta: (piece) => delta(decoder.push(piece)),
    close(status) {
      const input = unwrapCustomInput(segment.content);
      const rest = input.startsWith(streamed) ? delta(input.slice(streamed.length)) : [];
      const item = toolCallItem(call(), context, outputIndex, status);
      return {
        item,
        payloads: [
          ...rest,
          { type: "response.custom_tool_call_input.done", ...where, input },
          { type: "response.output_item.done", output_index: outputIndex, item },
        ],
      };
    },
  };
}

/** The stream item for a segment the segmenter opened. */
export function streamItem(segment: Segment, context: ResponsesContext): StreamItem {
  if (segment.kind === "tool") {
    const custom = context.customTools.includes(segment.name ?? "");
    return custom ? customItem(segment, context) : functionItem(segment, context);
  }
  const kind = partKinds[segment.kind];
  return partItem(kind, itemId(kind.item, context.responseId, segment.ordinal), segment.ordinal);
}
