/**
 * Reads the Responses SSE text the event writer produced: validates every event against the
 * OpenAI spec's ResponseStreamEvent (and the final response against Response), checks numbering
 * and order, and rebuilds the output items from the deltas.
 */
import { expect } from "vitest";
import { createResponsesEventWriter, type ResponsesContext } from "../../../src/providers/openai/index.js";
import type { ChatCompletionChunkBody } from "../../../src/types/index.js";
import { validateOpenAI } from "../../helpers/openai-spec.js";
import { parseSse, type ParsedEvent } from "../../helpers/sse-events.js";

type Json = Record<string, unknown>;

/** Runs a writer over chunks and returns the whole SSE text (`finish()` at the end). */
export function writeAll(chunks: readonly ChatCompletionChunkBody[], context: ResponsesContext): string {
  const writer = createResponsesEventWriter(context);
  return chunks.map((chunk) => writer.write(chunk)).join("") + writer.finish();
}

/** Parses and validates every event: `event:` equals `type`, `sequence_number` counts from 0. */
export function responsesEvents(text: string): ParsedEvent[] {
  const events = parseSse(text);
  events.forEach(({ event, data }, index) => {
    expect(event).toBe(data["type"]);
    expect(data["sequence_number"]).toBe(index);
    validateOpenAI("ResponseStreamEvent", data);
  });
  return events;
}

const deltaTypes: Readonly<Record<string, string[]>> = {
  message: ["response.output_text.delta", "response.refusal.delta"],
  reasoning: ["response.reasoning_text.delta"],
  function_call: ["response.function_call_arguments.delta"],
  custom_tool_call: ["response.custom_tool_call_input.delta"],
};

/**
 * Checks the order: `response.created`, `response.in_progress` first; items added with output
 * indexes 0, 1, … one at a time, every event of an item naming its `output_index` and `item_id`,
 * each item done before the next is added; a terminal event (`response.completed`,
 * `response.incomplete` or `response.failed`) last. Returns the event types.
 */
export function checkOrder(events: readonly ParsedEvent[]): string[] {
  const types = events.map((event) => String(event.data["type"]));
  expect(types.slice(0, 2)).toEqual(["response.created", "response.in_progress"]);
  expect(["response.completed", "response.incomplete", "response.failed"]).toContain(types.at(-1));
  let open: { index: number; id: string; type: string } | null = null;
  let next = 0;
  for (const { data } of events.slice(2, -1)) {
    const type = String(data["type"]);
    if (type === "response.output_item.added") {
      expect(open).toBeNull();
      expect(data["output_index"]).toBe(next);
      const item = data["item"] as Json;
      open = { index: next, id: String(item["id"]), type: String(item["type"]) };
      next += 1;
      continue;
    }
    expect(open).not.toBeNull();
    expect(data["output_index"]).toBe(open?.index);
    if (type === "response.output_item.done") {
      expect((data["item"] as Json)["id"]).toBe(open?.id);
      open = null;
      continue;
    }
    expect(data["item_id"]).toBe(open?.id);
    if (type.endsWith(".delta")) expect(deltaTypes[open?.type ?? ""]).toContain(type);
  }
  expect(open).toBeNull();
  return types;
}

/** The final response of the terminal event, validated against the spec's Response. */
export function finalResponse(events: readonly ParsedEvent[]): Json {
  const response = events.at(-1)?.data["response"] as Json;
  validateOpenAI("Response", response);
  return response;
}

/** The text the deltas of one output item add up to. */
export function deltaText(events: readonly ParsedEvent[], outputIndex: number): string {
  return events
    .filter(
      (event) => event.data["output_index"] === outputIndex && String(event.data["type"]).endsWith(".delta"),
    )
    .map((event) => String(event.data["delta"]))
    .join("");
}
