import OpenAI from "openai";
import { describe, expect, it } from "vitest";
import {
  createResponsesEventWriter,
  toResponsesResponse,
  type ResponsesContext,
} from "../../../src/providers/openai/index.js";
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
import { parseSse } from "../../helpers/sse-events.js";
import { codexTurn, patch } from "./fixtures/codex.js";
import { checkOrder, deltaText, finalResponse, responsesEvents, writeAll } from "./responses-events.js";

const context: ResponsesContext = {
  body: codexTurn,
  responseId: "resp_s1",
  createdAt: 1_757_000_200,
  customTools: ["apply_patch"],
};

function run(chunks: readonly ChatCompletionChunkBody[], given: ResponsesContext = context) {
  const events = responsesEvents(writeAll(chunks, given));
  const types = checkOrder(events);
  return { events, types, response: finalResponse(events) };
}

/** A custom tool call whose wrapped arguments arrive 7 characters at a time (escapes split too). */
function patchStream(args = JSON.stringify({ input: patch })): ChatCompletionChunkBody[] {
  const fragments: ChatCompletionChunkBody[] = [];
  for (let at = 0; at < args.length; at += 7) {
    fragments.push(chunk({ tool_calls: [{ index: 0, function: { arguments: args.slice(at, at + 7) } }] }));
  }
  return [
    chunk({ role: "assistant", content: null }),
    chunk({
      tool_calls: [
        { index: 0, id: "call_p1", type: "function", function: { name: "apply_patch", arguments: "" } },
      ],
    }),
    ...fragments,
    chunk({}, "tool_calls"),
    usageChunk(usage(4_000, 80)),
  ];
}

describe("createResponsesEventWriter", () => {
  it("writes a text stream in the documented order (pinned payloads)", () => {
    const { events, response } = run(textStream);
    const data = events.map((event) => event.data);
    const item = { item_id: "msg_s1_0", output_index: 0, content_index: 0 };
    expect(data.slice(2)).toEqual([
      {
        type: "response.output_item.added",
        sequence_number: 2,
        output_index: 0,
        item: { id: "msg_s1_0", type: "message", status: "in_progress", role: "assistant", content: [] },
      },
      {
        type: "response.content_part.added",
        sequence_number: 3,
        ...item,
        part: { type: "output_text", text: "", annotations: [], logprobs: [] },
      },
      { type: "response.output_text.delta", sequence_number: 4, ...item, delta: "The tests", logprobs: [] },
      { type: "response.output_text.delta", sequence_number: 5, ...item, delta: " pass now", logprobs: [] },
      { type: "response.output_text.delta", sequence_number: 6, ...item, delta: ".", logprobs: [] },
      {
        type: "response.output_text.done",
        sequence_number: 7,
        ...item,
        text: "The tests pass now.",
        logprobs: [],
      },
      {
        type: "response.content_part.done",
        sequence_number: 8,
        ...item,
        part: { type: "output_text", text: "The tests pass now.", annotations: [], logprobs: [] },
      },
      {
        type: "response.output_item.done",
        sequence_number: 9,
        output_index: 0,
        item: {
          id: "msg_s1_0",
          type: "message",
          status: "completed",
          role: "assistant",
          content: [{ type: "output_text", text: "The tests pass now.", annotations: [], logprobs: [] }],
        },
      },
      { type: "response.completed", sequence_number: 10, response },
    ]);
    expect(data[0]).toMatchObject({
      type: "response.created",
      response: { status: "in_progress", output: [] },
    });
    expect(data[0]?.["response"]).not.toHaveProperty("usage");
    expect(response).toEqual(toResponsesResponse(textCompletion, context));
  });

  it("text then a function call: two items, arguments as deltas, done with name and arguments", () => {
    const { events, response, types } = run(textThenToolStream);
    expect(types.slice(8)).toEqual([
      "response.output_item.added",
      "response.function_call_arguments.delta",
      "response.function_call_arguments.delta",
      "response.function_call_arguments.delta",
      "response.function_call_arguments.done",
      "response.output_item.done",
      "response.completed",
    ]);
    expect(events[8]?.data["item"]).toEqual({
      id: "fc_s1_1",
      type: "function_call",
      status: "in_progress",
      arguments: "",
      call_id: "call_Rk2mV8qLx3",
      name: "Read",
    });
    expect(events[12]?.data).toMatchObject({ name: "Read", arguments: '{"file_path":"/repo/src/index.ts"}' });
    expect((response["output"] as unknown[])[1]).toEqual({
      id: "fc_s1_1",
      type: "function_call",
      status: "completed",
      arguments: '{"file_path":"/repo/src/index.ts"}',
      call_id: "call_Rk2mV8qLx3",
      name: "Read",
    });
    expect(response["usage"]).toEqual({
      input_tokens: 5210,
      input_tokens_details: { cached_tokens: 4096, cache_write_tokens: 0 },
      output_tokens: 31,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: 5241,
    });
  });

  it("a custom tool call streams its raw input, unwrapped from the JSON arguments as it arrives", () => {
    const { events, response, types } = run(patchStream());
    expect(types.filter((type) => type.startsWith("response.custom_tool_call_input")).at(-1)).toBe(
      "response.custom_tool_call_input.done",
    );
    expect(types).not.toContain("response.function_call_arguments.delta");
    expect(
      events.filter((event) => event.data["type"] === "response.custom_tool_call_input.delta").length,
    ).toBeGreaterThan(10);
    expect(deltaText(events, 0)).toBe(patch);
    expect(
      events.find((event) => event.data["type"] === "response.custom_tool_call_input.done")?.data["input"],
    ).toBe(patch);
    expect(response["output"]).toEqual([
      {
        id: "ctc_s1_0",
        type: "custom_tool_call",
        status: "completed",
        call_id: "call_p1",
        input: patch,
        name: "apply_patch",
      },
    ]);
  });

  it("custom input the model did not wrap as {input} arrives whole at the end", () => {
    const { events, response } = run(patchStream(JSON.stringify(patch)));
    const deltas = events.filter((event) => event.data["type"] === "response.custom_tool_call_input.delta");
    expect(deltas.map((event) => event.data["delta"])).toEqual([patch]);
    expect((response["output"] as Array<{ input: string }>)[0]?.input).toBe(patch);
  });

  it.each([
    ["sequential parallel calls", parallelToolStream, ["call_A1bsT9wQe", "call_B2ctU0xRf"]],
    ["interleaved calls", interleavedToolStream, ["call_X0", "call_X1"]],
    ["whole calls in one delta, no usage", wholeCallsStream, ["call_g0", "call_g1"]],
  ])("%s: one function_call item each, in order", (_name, chunks, ids) => {
    const { response } = run(chunks);
    const output = response["output"] as Array<{ call_id: string; arguments: string }>;
    expect(output.map((item) => item.call_id)).toEqual(ids);
    for (const item of output) expect(() => JSON.parse(item.arguments) as unknown).not.toThrow();
  });

  it("reasoning then text: a reasoning item with reasoning_text deltas, then the message", () => {
    const { response, types } = run(reasoningStream);
    expect(types.slice(2, 9)).toEqual([
      "response.output_item.added",
      "response.content_part.added",
      "response.reasoning_text.delta",
      "response.reasoning_text.delta",
      "response.reasoning_text.done",
      "response.content_part.done",
      "response.output_item.done",
    ]);
    expect(response).toEqual(toResponsesResponse(reasoningCompletion, context));
  });

  it("length → response.incomplete with max_output_tokens, the cut item incomplete, no usage", () => {
    const { response, types } = run(lengthStream);
    expect(types.at(-1)).toBe("response.incomplete");
    expect(response).toMatchObject({
      status: "incomplete",
      incomplete_details: { reason: "max_output_tokens" },
      output: [{ status: "incomplete", content: [{ text: "Once upon a" }] }],
    });
    expect(response).not.toHaveProperty("usage");
  });

  it("an empty answer and a stream without chunks complete with no output", () => {
    expect(run(emptyStream).types).toEqual([
      "response.created",
      "response.in_progress",
      "response.completed",
    ]);
    expect(run([]).response).toMatchObject({ status: "completed", output: [] });
  });

  it("refusals stream as a message item with a refusal part", () => {
    const { response, types } = run([
      chunk({ refusal: "I can't" }),
      chunk({ refusal: " help." }),
      chunk({}, "stop"),
    ]);
    expect(types).toContain("response.refusal.delta");
    expect(types).toContain("response.refusal.done");
    expect(response["output"]).toEqual([
      {
        id: "msg_s1_0",
        type: "message",
        status: "completed",
        role: "assistant",
        content: [{ type: "refusal", refusal: "I can't help." }],
      },
    ]);
  });

  it("failed() ends a started stream with response.failed carrying the error and the items done so far", () => {
    const writer = createResponsesEventWriter(context);
    const text =
      textThenToolStream
        .slice(0, 3)
        .map((item) => writer.write(item))
        .join("") +
      writer.failed({
        code: "rate_limit_exceeded",
        message: "Rate limit reached. Please try again in 1.2s.",
      });
    const events = responsesEvents(text);
    checkOrder(
      events.filter((event) => event.data["output_index"] !== 1 || event.data["type"] === "response.failed"),
    );
    const response = finalResponse(events);
    expect(response).toMatchObject({
      status: "failed",
      error: { code: "rate_limit_exceeded", message: "Rate limit reached. Please try again in 1.2s." },
      output: [{ type: "message", status: "completed" }],
    });
    expect(writer.finish()).toBe("");
    expect(writer.response()).toMatchObject({ status: "failed" });
    const early = createResponsesEventWriter(context).failed({ message: "No deployment answered." });
    expect(parseSse(early).map((event) => event.data["type"])).toEqual([
      "response.created",
      "response.in_progress",
      "response.failed",
    ]);
    expect(finalResponse(responsesEvents(early))["error"]).toEqual({
      code: "server_error",
      message: "No deployment answered.",
    });
  });

  it("error() writes the bare error event and ends the stream", () => {
    const writer = createResponsesEventWriter(context);
    writer.write(textStream[0]!);
    const text = writer.error({ code: "server_error", message: "Upstream stream broke." });
    expect(parseSse(text)).toEqual([
      {
        event: "error",
        data: {
          type: "error",
          sequence_number: 2,
          code: "server_error",
          message: "Upstream stream broke.",
          param: null,
        },
      },
    ]);
    expect(writer.write(textStream[1]!)).toBe("");
  });
});

/** The SDK adds `parsed` / `parsed_arguments` (its structured-output helpers); drop them to compare. */
function withoutParsed(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value), (key, inner: unknown) =>
    key.startsWith("parsed") ? undefined : inner,
  );
}

/** A fetch that answers every request with the SSE text. */
function sseFetch(text: string): typeof fetch {
  return () =>
    Promise.resolve(new Response(text, { status: 200, headers: { "content-type": "text/event-stream" } }));
}

describe("the openai SDK reads the writer's streams", () => {
  it.each([
    ["textStream", textStream],
    ["textThenToolStream", textThenToolStream],
    ["parallelToolStream", parallelToolStream],
    ["interleavedToolStream", interleavedToolStream],
    ["reasoningStream", reasoningStream],
    ["a custom tool call", patchStream()],
  ])("%s: ResponseStream accumulates the events into the final response", async (_name, chunks) => {
    const text = writeAll(chunks, context);
    const client = new OpenAI({
      apiKey: "test",
      baseURL: "http://llmux.test/v1",
      fetch: sseFetch(text),
      maxRetries: 0,
    });
    const stream = client.responses.stream({ model: "gpt-5-codex", input: "hi" });
    const seen: string[] = [];
    for await (const event of stream) seen.push(event.type);
    const final = await stream.finalResponse();
    const expected = finalResponse(parseSse(text));
    expect(seen).toEqual(parseSse(text).map((event) => event.data["type"]));
    expect(withoutParsed(final.output)).toEqual(expected["output"]);
    expect(final.usage).toEqual(expected["usage"]);
  });
});
