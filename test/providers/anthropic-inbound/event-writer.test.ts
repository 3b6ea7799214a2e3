import Anthropic from "@anthropic-ai/sdk";
import { describe, expect, it } from "vitest";
import { createAnthropicEventWriter, toAnthropicMessage } from "../../../src/providers/anthropic/index.js";
import type { ChatCompletionChunkBody } from "../../../src/types/index.js";
import {
  chunk,
  emptyStream,
  interleavedToolStream,
  lengthStream,
  parallelToolStream,
  reasoningCompletion,
  reasoningStream,
  textCompletion,
  textStream,
  textThenToolStream,
  usage,
  usageChunk,
  wholeCallsStream,
} from "../../helpers/chat-fixtures.js";
import { validateAnthropic } from "../anthropic/anthropic-spec.js";
import { anthropicEvents, checkOrder, finalMessage, writeAll } from "./anthropic-events.js";

const startUsage = {
  output_tokens: 0,
  cache_creation: null,
  server_tool_use: null,
  service_tier: null,
  inference_geo: null,
};

function run(chunks: readonly ChatCompletionChunkBody[], inputTokens?: number) {
  const events = anthropicEvents(writeAll(chunks, inputTokens));
  const types = checkOrder(events);
  const message = finalMessage(events);
  validateAnthropic("Message", message);
  return { events, types, message };
}

describe("createAnthropicEventWriter", () => {
  it("writes a text stream exactly as Anthropic does (pinned)", () => {
    const writer = createAnthropicEventWriter({
      model: "claude-sonnet-4-5",
      messageId: "msg_1",
      inputTokens: 2000,
    });
    const texts = textStream.map((item) => writer.write(item));
    expect(texts[0]).toBe(
      'event: message_start\ndata: {"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[],"stop_reason":null,"stop_sequence":null,"stop_details":null,"container":null,"usage":{"input_tokens":2000,"output_tokens":0,"cache_creation_input_tokens":null,"cache_read_input_tokens":null,"cache_creation":null,"server_tool_use":null,"service_tier":null,"inference_geo":null}}}\n\n',
    );
    expect(texts[1]).toBe(
      'event: content_block_start\ndata: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":"","citations":null}}\n\n' +
        'event: ping\ndata: {"type":"ping"}\n\n' +
        'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"The tests"}}\n\n',
    );
    expect(texts[4]).toBe('event: content_block_stop\ndata: {"type":"content_block_stop","index":0}\n\n');
    expect(texts[5]).toBe("");
    expect(writer.finish()).toBe(
      'event: message_delta\ndata: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null,"stop_details":null,"container":null},"usage":{"input_tokens":220,"output_tokens":9,"cache_creation_input_tokens":0,"cache_read_input_tokens":1920,"server_tool_use":null}}\n\n' +
        'event: message_stop\ndata: {"type":"message_stop"}\n\n',
    );
    expect(writer.finish()).toBe("");
    expect(writer.write(chunk({ content: "late" }))).toBe("");
  });

  it("text then a tool call: two blocks, the tool's arguments as input_json_delta fragments", () => {
    const { types, message, events } = run(textThenToolStream);
    expect(types).toEqual([
      "message_start",
      "content_block_start",
      "ping",
      "content_block_delta",
      "content_block_stop",
      "content_block_start",
      "content_block_delta",
      "content_block_delta",
      "content_block_delta",
      "content_block_stop",
      "message_delta",
      "message_stop",
    ]);
    expect(events[5]?.data["content_block"]).toEqual({
      type: "tool_use",
      id: "call_Rk2mV8qLx3",
      name: "Read",
      input: {},
      caller: { type: "direct" },
    });
    expect(message["content"]).toEqual([
      { type: "text", text: "Let me read the file.", citations: null },
      {
        type: "tool_use",
        id: "call_Rk2mV8qLx3",
        name: "Read",
        input: { file_path: "/repo/src/index.ts" },
        caller: { type: "direct" },
      },
    ]);
    expect(message["stop_reason"]).toBe("tool_use");
    expect(message["usage"]).toMatchObject({
      input_tokens: 1114,
      output_tokens: 31,
      cache_read_input_tokens: 4096,
    });
  });

  it("parallel tool calls stream one block each: the second opens as soon as it appears", () => {
    const writer = createAnthropicEventWriter({ model: "m", messageId: "msg_2" });
    const perChunk = parallelToolStream.map((item) =>
      anthropicEvents(writer.write(item)).map((event) => event.data["type"]),
    );
    expect(perChunk[4]).toEqual(["content_block_stop", "content_block_start"]);
    expect(perChunk[5]).toEqual(["content_block_delta"]);
    const { message } = run(parallelToolStream);
    expect(message["content"]).toEqual([
      {
        type: "tool_use",
        id: "call_A1bsT9wQe",
        name: "Bash",
        input: { command: "npm test", description: "Run the tests" },
        caller: { type: "direct" },
      },
      {
        type: "tool_use",
        id: "call_B2ctU0xRf",
        name: "Read",
        input: { file_path: "/repo/package.json" },
        caller: { type: "direct" },
      },
    ]);
  });

  it("interleaved tool call fragments: the second call waits until the first is complete, then streams", () => {
    const writer = createAnthropicEventWriter({ model: "m", messageId: "msg_5" });
    const perChunk = interleavedToolStream.map((item) =>
      anthropicEvents(writer.write(item)).map((event) => event.data["type"]),
    );
    expect(perChunk.slice(3, 7)).toEqual([
      [],
      [],
      ["content_block_delta", "content_block_stop", "content_block_start", "content_block_delta"],
      ["content_block_delta"],
    ]);
    const { message, events } = run(interleavedToolStream);
    expect((message["content"] as unknown[]).map((block) => (block as { input: unknown }).input)).toEqual([
      { file_path: "/a.ts" },
      { file_path: "/b.ts" },
    ]);
    const second = events.filter(
      (event) => event.data["index"] === 1 && event.data["type"] === "content_block_delta",
    );
    expect(second.map((event) => (event.data["delta"] as { partial_json: string }).partial_json)).toEqual([
      '{"file_path":',
      '"/b.ts"}',
    ]);
  });

  it("whole calls in one delta (Gemini), no usage chunk: output_tokens 0, input counts unknown", () => {
    const { message, events } = run(wholeCallsStream);
    expect((message["content"] as Array<{ id: string }>).map((block) => block.id)).toEqual([
      "call_g0",
      "call_g1",
    ]);
    expect(events.at(-2)?.data["usage"]).toEqual({
      input_tokens: null,
      output_tokens: 0,
      cache_creation_input_tokens: null,
      cache_read_input_tokens: null,
      server_tool_use: null,
    });
  });

  it("reasoning then text: a thinking block (empty signature) then a text block", () => {
    const { message, types } = run(reasoningStream);
    expect(types.filter((type) => type === "content_block_start")).toHaveLength(2);
    expect(message["content"]).toEqual([
      { type: "thinking", thinking: "The user wants a haiku.", signature: "" },
      { type: "text", text: "Autumn moonlight—\na worm digs silently", citations: null },
    ]);
  });

  const namedStop = {
    ...chunk({}, "stop"),
    choices: [{ index: 0, delta: {}, finish_reason: "stop", stop_reason: "4" }],
  };
  const toolThenStop = [
    chunk({ tool_calls: [{ index: 0, id: "c", function: { name: "x", arguments: "{}" } }] }),
    chunk({}, "stop"),
  ];
  it.each([
    ["length", "max_tokens", null, lengthStream],
    ["content_filter", "refusal", null, [chunk({ content: "I" }), chunk({}, "content_filter")]],
    ["stop naming its sequence (vLLM)", "stop_sequence", "4", [chunk({ content: "1, 2, 3" }), namedStop]],
    ["stop with tool calls", "tool_use", null, toolThenStop],
    ["no finish reason at all", "end_turn", null, [chunk({ content: "cut" })]],
  ])("%s → stop_reason %s, stop_sequence %s", (_name, stopReason, stopSequence, chunks) => {
    const { message } = run(chunks as ChatCompletionChunkBody[]);
    expect([message["stop_reason"], message["stop_sequence"]]).toEqual([stopReason, stopSequence]);
  });

  it("an empty answer and a stream with no chunk at all still give a complete, valid sequence", () => {
    expect(run(emptyStream).types).toEqual(["message_start", "ping", "message_delta", "message_stop"]);
    expect(run([]).message).toMatchObject({
      content: [],
      stop_reason: "end_turn",
      usage: { input_tokens: 0, output_tokens: 0 },
    });
  });

  it("message_start takes input tokens from a usage chunk that comes first, else the estimate", () => {
    const first = run([usageChunk(usage(500, 0, 100)), ...textStream.slice(0, 5)]);
    expect(first.events[0]?.data["message"]).toMatchObject({
      usage: { input_tokens: 400, cache_read_input_tokens: 100 },
    });
    const estimated = run(lengthStream, 1234);
    expect(estimated.events[0]?.data["message"]).toMatchObject({
      usage: { ...startUsage, input_tokens: 1234 },
    });
    expect(estimated.message["usage"]).toMatchObject({ input_tokens: 1234, output_tokens: 0 });
  });

  it("error() writes one in-band error event and ends the stream", () => {
    const writer = createAnthropicEventWriter({ model: "m", messageId: "msg_3" });
    const before = writer.write(textStream[1]!);
    const error = writer.error("overloaded_error", "Overloaded");
    expect(error).toBe(
      'event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}\n\n',
    );
    anthropicEvents(before + error);
    expect(writer.finish()).toBe("");
    expect(writer.error("api_error", "again")).toBe("");
  });
});

/** A fetch that answers every request with the SSE text. */
function sseFetch(text: string): typeof fetch {
  return () =>
    Promise.resolve(new Response(text, { status: 200, headers: { "content-type": "text/event-stream" } }));
}

async function sdkFinal(chunks: readonly ChatCompletionChunkBody[]) {
  const client = new Anthropic({
    apiKey: "test",
    baseURL: "http://llmux.test",
    fetch: sseFetch(writeAll(chunks)),
    maxRetries: 0,
  });
  const stream = client.messages.stream({
    model: "claude-sonnet-4-5",
    max_tokens: 100,
    messages: [{ role: "user", content: "hi" }],
  });
  return stream.finalMessage();
}

describe("the Anthropic SDK reads the writer's streams", () => {
  it.each([
    ["textThenToolStream", textThenToolStream],
    ["parallelToolStream", parallelToolStream],
    ["interleavedToolStream", interleavedToolStream],
    ["reasoningStream", reasoningStream],
    ["lengthStream", lengthStream],
  ])("%s: MessageStream's final message equals the folded events", async (_name, chunks) => {
    const { parsed_output: parsed, ...final } = (await sdkFinal(chunks)) as unknown as Record<
      string,
      unknown
    >;
    expect(parsed).toBeNull();
    expect(JSON.parse(JSON.stringify(final))).toEqual(finalMessage(anthropicEvents(writeAll(chunks))));
  });

  it.each([
    ["text", textStream, textCompletion],
    ["reasoning", reasoningStream, reasoningCompletion],
  ])(
    "%s: the streamed message matches toAnthropicMessage of the same answer",
    async (_name, chunks, body) => {
      const streamed = await sdkFinal(chunks);
      const whole = toAnthropicMessage(body, "claude-sonnet-4-5");
      expect(streamed.content).toEqual(whole.content);
      expect([streamed.stop_reason, streamed.usage.input_tokens, streamed.usage.output_tokens]).toEqual([
        whole.stop_reason,
        whole.usage["input_tokens"],
        whole.usage["output_tokens"],
      ]);
    },
  );

  it("an in-band error event makes the SDK throw", async () => {
    const writer = createAnthropicEventWriter({ model: "m", messageId: "msg_4" });
    const text = writer.write(textStream[1]!) + writer.error("overloaded_error", "Upstream overloaded");
    const client = new Anthropic({
      apiKey: "test",
      baseURL: "http://llmux.test",
      fetch: sseFetch(text),
      maxRetries: 0,
    });
    const stream = client.messages.stream({
      model: "m",
      max_tokens: 10,
      messages: [{ role: "user", content: "hi" }],
    });
    await expect(stream.finalMessage()).rejects.toThrow(/Upstream overloaded/);
  });
});
