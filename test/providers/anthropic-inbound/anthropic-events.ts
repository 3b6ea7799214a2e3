/**
 * Reads the Anthropic SSE text the event writer produced: validates every event against the
 * Anthropic spec (MessageStreamEvent; `error` against its error schemas), checks the order
 * Anthropic guarantees, and folds the events into the final Message the way the SDK does.
 */
import { expect } from "vitest";
import type { ChatCompletionChunkBody } from "../../../src/types/index.js";
import { createAnthropicEventWriter } from "../../../src/providers/anthropic/index.js";
import { parseSse, type ParsedEvent } from "../../helpers/sse-events.js";
import { validateAnthropic } from "../anthropic/anthropic-spec.js";

type Json = Record<string, unknown>;

/** Runs a writer over chunks and returns the whole SSE text (`finish()` at the end). */
export function writeAll(chunks: readonly ChatCompletionChunkBody[], inputTokens?: number): string {
  const writer = createAnthropicEventWriter({
    model: "claude-sonnet-4-5",
    messageId: "msg_llmux_1",
    ...(inputTokens === undefined ? {} : { inputTokens }),
  });
  return chunks.map((chunk) => writer.write(chunk)).join("") + writer.finish();
}

/** Parses and validates every event: `event:` equals the data's `type`, the data matches the spec. */
export function anthropicEvents(text: string): ParsedEvent[] {
  const events = parseSse(text);
  for (const { event, data } of events) {
    expect(event).toBe(data["type"]);
    if (data["type"] === "error") {
      expect(Object.keys(data).sort()).toEqual(["error", "type"]);
      validateAnthropic("ErrorResponse", { ...data, request_id: null });
    } else {
      validateAnthropic("MessageStreamEvent", data);
    }
  }
  return events;
}

const deltaFor: Readonly<Record<string, string>> = {
  text: "text_delta",
  thinking: "thinking_delta",
  tool_use: "input_json_delta",
};

/**
 * Checks the sequence: `message_start` first, then `ping`; blocks with indexes 0, 1, … each
 * started, given deltas of its own type and stopped before the next starts; `message_delta` then
 * `message_stop` last. Returns the event types in order.
 */
export function checkOrder(events: readonly ParsedEvent[]): string[] {
  const types = events.map((event) => String(event.data["type"]));
  expect(types[0]).toBe("message_start");
  expect(types.filter((type) => type === "ping")).toHaveLength(1);
  expect(types.slice(-2)).toEqual(["message_delta", "message_stop"]);
  let open: { index: number; type: string } | null = null;
  let next = 0;
  for (const { data } of events) {
    const index = data["index"];
    if (data["type"] === "content_block_start") {
      expect(open).toBeNull();
      expect(index).toBe(next);
      open = { index: next, type: String((data["content_block"] as Json)["type"]) };
      next += 1;
    } else if (data["type"] === "content_block_delta") {
      expect(open?.index).toBe(index);
      expect((data["delta"] as Json)["type"]).toBe(deltaFor[open?.type ?? ""]);
    } else if (data["type"] === "content_block_stop") {
      expect(open?.index).toBe(index);
      open = null;
    } else if (data["type"] === "message_delta") {
      expect(open).toBeNull();
    }
  }
  return types;
}

/** Folds the events into the final Message (text and thinking concatenated, tool input parsed). */
export function finalMessage(events: readonly ParsedEvent[]): Json {
  const start = events[0]?.data["message"] as Json;
  const content: Json[] = [];
  const json: string[] = [];
  let message: Json = { ...start, content };
  for (const { data } of events) {
    const index = Number(data["index"]);
    const delta = (data["delta"] ?? {}) as Json;
    if (data["type"] === "content_block_start") {
      content.push({ ...(data["content_block"] as Json) });
      json.push("");
    } else if (data["type"] === "content_block_delta") {
      const block = content[index]!;
      if (delta["type"] === "text_delta") block["text"] = String(block["text"]) + String(delta["text"]);
      if (delta["type"] === "thinking_delta")
        block["thinking"] = String(block["thinking"]) + String(delta["thinking"]);
      if (delta["type"] === "input_json_delta") json[index] += String(delta["partial_json"]);
    } else if (data["type"] === "content_block_stop" && content[index]!["type"] === "tool_use") {
      content[index]!["input"] = json[index] === "" ? {} : (JSON.parse(json[index]!) as unknown);
    } else if (data["type"] === "message_delta") {
      const usage = { ...(message["usage"] as Json) };
      for (const [key, value] of Object.entries(data["usage"] as Json))
        if (value !== null) usage[key] = value;
      message = { ...message, ...delta, usage };
    }
  }
  return message;
}
