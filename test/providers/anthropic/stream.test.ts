import { describe, expect, it } from "vitest";
import { createAnthropicStreamMapper } from "../../../src/providers/anthropic/index.js";
import type { StreamEvent } from "../../../src/types/index.js";
import { validateOpenAI } from "../../helpers/openai-spec.js";
import { overloadedMidStream, textStream, thinkingStream, toolStream } from "./fixtures/streams.js";
import { sseMessages } from "./sse.js";

const now = 1_767_225_600_987;
const created = 1_767_225_600;

/** Maps a whole SSE fixture; checks every chunk against the OpenAI spec and its `data` against `chunk`. */
async function mapStream(text: string): Promise<StreamEvent[]> {
  const map = createAnthropicStreamMapper({ now });
  const events = (await sseMessages(text)).flatMap((message) => map(message));
  for (const event of events) {
    if (event.type !== "chunk") continue;
    validateOpenAI("CreateChatCompletionStreamResponse", event.chunk);
    expect(JSON.parse(event.data)).toEqual(event.chunk);
  }
  return events;
}

function chunks(events: StreamEvent[]): unknown[] {
  return events.map((event) => (event.type === "chunk" ? event.chunk : event));
}

/** The summary fields the relay reads, one row per event. */
function summaries(events: StreamEvent[]): unknown[] {
  return events.map((event) =>
    event.type === "chunk"
      ? [event.content, event.finishReason, event.usage === null ? null : "usage", event.usageOnly]
      : event.type,
  );
}

describe("createAnthropicStreamMapper", () => {
  it("maps a text stream: role chunk, content chunks, finish chunk, usage chunk, done", async () => {
    const events = await mapStream(textStream);
    const base = {
      id: "msg_01S4mGq2Ck8vZ7yR9eWb1TxP",
      object: "chat.completion.chunk",
      created,
      model: "claude-sonnet-4-5-20250929",
    };
    expect(chunks(events)).toEqual([
      {
        ...base,
        choices: [
          { index: 0, delta: { role: "assistant", content: "" }, finish_reason: null, logprobs: null },
        ],
      },
      { ...base, choices: [{ index: 0, delta: { content: "Hello" }, finish_reason: null, logprobs: null }] },
      {
        ...base,
        choices: [{ index: 0, delta: { content: "! How can I help?" }, finish_reason: null, logprobs: null }],
      },
      { ...base, choices: [{ index: 0, delta: {}, finish_reason: "stop", logprobs: null }] },
      {
        ...base,
        choices: [],
        usage: {
          prompt_tokens: 25,
          completion_tokens: 15,
          total_tokens: 40,
          prompt_tokens_details: { cached_tokens: 0 },
        },
      },
      { type: "done" },
    ]);
    expect(summaries(events)).toEqual([
      [false, null, null, false],
      [true, null, null, false],
      [true, null, null, false],
      [false, "stop", null, false],
      [false, null, "usage", true],
      "done",
    ]);
  });

  it("maps two tool_use blocks with split input_json_delta to tool call indexes 0 and 1", async () => {
    const events = await mapStream(toolStream);
    const base = {
      id: "msg_014p7gG3wDgGV9EUtLvnow3U",
      object: "chat.completion.chunk",
      created,
      model: "claude-sonnet-4-5-20250929",
    };
    const choice = (delta: unknown, finish: string | null = null) => ({
      ...base,
      choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }],
    });
    expect(chunks(events)).toEqual([
      choice({ role: "assistant", content: "" }),
      choice({ content: "Okay, let's check the weather in both cities:" }),
      choice({
        tool_calls: [
          {
            index: 0,
            id: "toolu_01T1x1fJ34qAmk2tNTrN7Up6",
            type: "function",
            function: { name: "get_weather", arguments: "" },
          },
        ],
      }),
      choice({ tool_calls: [{ index: 0, function: { arguments: '{"location":' } }] }),
      choice({ tool_calls: [{ index: 0, function: { arguments: ' "San Francisco, CA"' } }] }),
      choice({ tool_calls: [{ index: 0, function: { arguments: ', "unit": "fahrenheit"}' } }] }),
      choice({
        tool_calls: [
          {
            index: 1,
            id: "toolu_01Jd2Xo9dbmr5uqbCJqH4qVZ",
            type: "function",
            function: { name: "get_weather", arguments: "" },
          },
        ],
      }),
      choice({ tool_calls: [{ index: 1, function: { arguments: '{"locat' } }] }),
      choice({ tool_calls: [{ index: 1, function: { arguments: 'ion": "New York, NY"' } }] }),
      choice({ tool_calls: [{ index: 1, function: { arguments: ', "unit": "fahrenheit"}' } }] }),
      choice({}, "tool_calls"),
      {
        ...base,
        choices: [],
        usage: {
          prompt_tokens: 1496,
          completion_tokens: 121,
          total_tokens: 1617,
          prompt_tokens_details: { cached_tokens: 1024 },
        },
      },
      { type: "done" },
    ]);
    expect(events.filter((event) => event.type === "chunk" && event.content)).toHaveLength(9);
  });

  it("streams tool arguments that reassemble into each call's input", async () => {
    const events = await mapStream(toolStream);
    const calls: Array<{ id: string; name: string; arguments: string }> = [];
    for (const event of events) {
      if (event.type !== "chunk") continue;
      const delta = event.chunk?.choices[0]?.delta as
        | {
            tool_calls?: Array<{
              index: number;
              id?: string;
              function: { name?: string; arguments: string };
            }>;
          }
        | undefined;
      for (const call of delta?.tool_calls ?? []) {
        const known = calls[call.index];
        if (known === undefined)
          calls[call.index] = { id: call.id!, name: call.function.name!, arguments: call.function.arguments };
        else known.arguments += call.function.arguments;
      }
    }
    expect(calls.map((call) => ({ ...call, arguments: JSON.parse(call.arguments) as unknown }))).toEqual([
      {
        id: "toolu_01T1x1fJ34qAmk2tNTrN7Up6",
        name: "get_weather",
        arguments: { location: "San Francisco, CA", unit: "fahrenheit" },
      },
      {
        id: "toolu_01Jd2Xo9dbmr5uqbCJqH4qVZ",
        name: "get_weather",
        arguments: { location: "New York, NY", unit: "fahrenheit" },
      },
    ]);
  });

  it("drops thinking and signature deltas", async () => {
    const events = await mapStream(thinkingStream);
    const base = {
      id: "msg_01Ke9fWqL3tY6uR8pZ2xV4nC",
      object: "chat.completion.chunk",
      created,
      model: "claude-opus-4-1-20250805",
    };
    expect(chunks(events)).toEqual([
      {
        ...base,
        choices: [
          { index: 0, delta: { role: "assistant", content: "" }, finish_reason: null, logprobs: null },
        ],
      },
      {
        ...base,
        choices: [
          { index: 0, delta: { content: "27 × 453 = 12,231." }, finish_reason: null, logprobs: null },
        ],
      },
      { ...base, choices: [{ index: 0, delta: {}, finish_reason: "stop", logprobs: null }] },
      {
        ...base,
        choices: [],
        usage: {
          prompt_tokens: 36,
          completion_tokens: 58,
          total_tokens: 94,
          prompt_tokens_details: { cached_tokens: 0 },
        },
      },
      { type: "done" },
    ]);
  });

  it("turns an error event after content into an error stream event", async () => {
    const events = await mapStream(overloadedMidStream);
    expect(summaries(events)).toEqual([[false, null, null, false], [true, null, null, false], "error"]);
    expect(events[2]).toEqual({
      type: "error",
      errorType: "overloaded_error",
      message: "Overloaded",
      payload: { type: "error", error: { type: "overloaded_error", message: "Overloaded" } },
    });
  });

  it("reports data that is not a JSON object as malformed, and keeps going", () => {
    const map = createAnthropicStreamMapper({ now });
    expect(map({ event: "content_block_delta", data: '{"type":"content_block_delta",' })).toEqual([
      { type: "malformed", data: '{"type":"content_block_delta",' },
    ]);
    expect(map({ event: "ping", data: "[1]" })).toEqual([{ type: "malformed", data: "[1]" }]);
    expect(map({ event: "ping", data: '{"type":"ping"}' })).toEqual([]);
  });

  it("ignores unknown events and deltas of blocks it never saw start", () => {
    const map = createAnthropicStreamMapper({ now });
    expect(map({ event: "future_event", data: '{"type":"future_event"}' })).toEqual([]);
    expect(
      map({
        event: "content_block_delta",
        data: '{"type":"content_block_delta","index":4,"delta":{"type":"input_json_delta","partial_json":"{}"}}',
      }),
    ).toEqual([]);
    expect(
      map({
        event: "content_block_delta",
        data: '{"type":"content_block_delta","index":0,"delta":{"type":"citations_delta","citation":{}}}',
      }),
    ).toEqual([]);
  });

  it("uses the SSE event name when the data has no type", () => {
    const map = createAnthropicStreamMapper({ now });
    expect(map({ event: "message_stop", data: "{}" }).map((event) => event.type)).toEqual(["chunk", "done"]);
  });

  it.each([
    ["max_tokens", "length"],
    ["stop_sequence", "stop"],
    ["refusal", "content_filter"],
    ["pause_turn", "stop"],
  ])("maps a %s stop to finish_reason %s", (stopReason, finish) => {
    const map = createAnthropicStreamMapper({ now });
    map({
      event: "message_start",
      data: JSON.stringify({
        type: "message_start",
        message: {
          id: "msg_1",
          model: "claude-3-5-haiku-20241022",
          usage: { input_tokens: 3, output_tokens: 1 },
        },
      }),
    });
    const [event] = map({
      event: "message_delta",
      data: JSON.stringify({
        type: "message_delta",
        delta: { stop_reason: stopReason },
        usage: { output_tokens: 9 },
      }),
    });
    expect(event).toMatchObject({ type: "chunk", finishReason: finish, content: false });
    validateOpenAI("CreateChatCompletionStreamResponse", event?.type === "chunk" ? event.chunk : null);
  });
});
