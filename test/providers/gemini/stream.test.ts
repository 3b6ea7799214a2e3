import { describe, expect, it } from "vitest";
import { createGeminiStreamMapper } from "../../../src/providers/gemini/index.js";
import type { StreamChunkEvent, StreamEvent, Usage } from "../../../src/types/index.js";
import type { SseMessage } from "../../../src/util/sse.js";
import { validateOpenAI } from "../../helpers/openai-spec.js";
import { counterIds, loadJson, loadSse } from "./fixtures.js";
import { validateGeminiResponse } from "./gemini-spec.js";

const now = 1_750_000_100_400;
const created = 1_750_000_100;
const signatureInId =
  "MbygIJTreBJqUXsgaojHPPqexvcExwMNGCEsrOgg8CXwC_DqaNvz86VDbKY7U797-ArY1d59g1nQt_7Z28OrmV_s62Y";

/** Feeds every message to a fresh mapper; checks each Gemini payload and each OpenAI chunk against the specs. */
function run(
  messages: readonly SseMessage[],
  model = "gemini-2.5-flash",
  newId = counterIds(),
): StreamEvent[][] {
  const map = createGeminiStreamMapper({ model, now, newId });
  return messages.map((message) => {
    const events = map(message);
    for (const event of events) {
      if (event.type !== "chunk") continue;
      expect(event.data).toBe(JSON.stringify(event.chunk));
      validateOpenAI("CreateChatCompletionStreamResponse", event.chunk);
    }
    return events;
  });
}

function data(payload: unknown): SseMessage {
  return { event: undefined, data: JSON.stringify(payload) };
}

/** The expected event of one chunk with the given choices. */
function chunk(
  header: { id: string; model: string },
  choices: unknown[],
  summary: { content?: boolean; finishReason?: string; usage?: Usage } = {},
): StreamChunkEvent {
  const body = {
    id: header.id,
    object: "chat.completion.chunk" as const,
    created,
    model: header.model,
    choices,
  } as StreamChunkEvent["chunk"] & object;
  if (summary.usage !== undefined) body.usage = summary.usage;
  return {
    type: "chunk",
    data: JSON.stringify(body),
    chunk: body,
    content: summary.content ?? false,
    finishReason: summary.finishReason ?? null,
    usage: summary.usage ?? null,
    usageOnly: choices.length === 0 && summary.usage !== undefined,
  };
}

const roleChoice = {
  index: 0,
  delta: { role: "assistant", content: "" },
  logprobs: null,
  finish_reason: null,
};
const text = (content: string, index = 0) => ({
  index,
  delta: { content },
  logprobs: null,
  finish_reason: null,
});
const finish = (reason: string, index = 0) => ({ index, delta: {}, logprobs: null, finish_reason: reason });

describe("createGeminiStreamMapper", () => {
  it("maps a text stream: role chunk, content deltas, finish, then the last usage", async () => {
    const messages = await loadSse("stream-text.sse");
    expect(messages).toHaveLength(3);
    for (const message of messages) validateGeminiResponse(JSON.parse(message.data));
    const header = { id: "chatcmpl-dFlBaJrRMeSo1MkP5_ekqQ4", model: "gemini-2.0-flash" };
    const events = run(messages);
    expect(events).toEqual([
      [chunk(header, [roleChoice]), chunk(header, [text("Why")], { content: true })],
      [chunk(header, [text(" did the scarecrow win an award? Because he was")], { content: true })],
      [
        chunk(header, [text(" outstanding in his field.")], { content: true }),
        chunk(header, [finish("stop")], { finishReason: "stop" }),
        chunk(header, [], {
          usage: {
            prompt_tokens: 9,
            completion_tokens: 19,
            total_tokens: 28,
            prompt_tokens_details: { cached_tokens: 0 },
            completion_tokens_details: { reasoning_tokens: 0 },
          },
        }),
      ],
    ]);
    expect((events[0]![0] as StreamChunkEvent).data).toBe(
      '{"id":"chatcmpl-dFlBaJrRMeSo1MkP5_ekqQ4","object":"chat.completion.chunk","created":1750000100,' +
        '"model":"gemini-2.0-flash","choices":[{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}]}',
    );
  });

  it("maps a function-call stream: thoughts skipped, the whole call in one delta, finish tool_calls", async () => {
    const messages = await loadSse("stream-function-call.sse");
    for (const message of messages) validateGeminiResponse(JSON.parse(message.data));
    const header = { id: "chatcmpl-hVtBaO-JH_Ko1MkPi8Hy6Qg", model: "gemini-2.5-flash" };
    const toolCall = {
      index: 0,
      id: `call_id1__ts_${signatureInId}`,
      type: "function",
      function: { name: "get_weather", arguments: '{"city":"Paris"}' },
    };
    expect(run(messages)).toEqual([
      [chunk(header, [roleChoice])],
      [chunk(header, [text("Let me look that up.")], { content: true })],
      [
        chunk(
          header,
          [{ index: 0, delta: { tool_calls: [toolCall] }, logprobs: null, finish_reason: null }],
          {
            content: true,
          },
        ),
        chunk(header, [finish("tool_calls")], { finishReason: "tool_calls" }),
        chunk(header, [], {
          usage: {
            prompt_tokens: 64,
            completion_tokens: 58,
            total_tokens: 122,
            prompt_tokens_details: { cached_tokens: 0 },
            completion_tokens_details: { reasoning_tokens: 37 },
          },
        }),
      ],
    ]);
  });

  it("numbers parallel calls, keeps text and calls in part order, and mints ids when Gemini sends none", () => {
    const header = { id: "chatcmpl-id1", model: "gemini-2.5-pro" };
    const events = run(
      [
        data({
          candidates: [
            {
              content: {
                role: "model",
                parts: [
                  { text: "Checking both. " },
                  { functionCall: { name: "get_weather", args: { city: "Paris" } } },
                  { functionCall: { name: "get_weather", args: { city: "Rome" } } },
                ],
              },
              finishReason: "STOP",
            },
          ],
        }),
      ],
      "gemini-2.5-pro",
    );
    const call = (index: number, id: string, city: string) => ({
      index: 0,
      delta: {
        tool_calls: [
          { index, id, type: "function", function: { name: "get_weather", arguments: `{"city":"${city}"}` } },
        ],
      },
      logprobs: null,
      finish_reason: null,
    });
    expect(events).toEqual([
      [
        chunk(header, [roleChoice]),
        chunk(header, [text("Checking both. ")], { content: true }),
        chunk(header, [call(0, "call_id2", "Paris")], { content: true }),
        chunk(header, [call(1, "call_id3", "Rome")], { content: true }),
        chunk(header, [finish("tool_calls")], { finishReason: "tool_calls" }),
      ],
    ]);
  });

  it("maps a SAFETY finish to content_filter", () => {
    const body = loadJson("safety-finish.json");
    const header = { id: "chatcmpl-s1BBaOXzCaKl1MkPqJ7D0Aw", model: "gemini-2.0-flash" };
    const usage = {
      prompt_tokens: 17,
      completion_tokens: 0,
      total_tokens: 17,
      prompt_tokens_details: { cached_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: 0 },
    };
    expect(run([data(body)])).toEqual([
      [
        chunk(header, [roleChoice]),
        chunk(header, [finish("content_filter")], { finishReason: "content_filter" }),
        chunk(header, [], { usage }),
      ],
    ]);
  });

  it("sends usage once every candidate has finished (n > 1)", () => {
    const header = { id: "chatcmpl-r2", model: "gemini-2.0-flash" };
    const role1 = { ...roleChoice, index: 1 };
    const events = run(
      [
        data({
          candidates: [
            { content: { role: "model", parts: [{ text: "A" }] }, finishReason: "STOP", index: 0 },
            { content: { role: "model", parts: [{ text: "B" }] }, index: 1 },
          ],
          usageMetadata: { promptTokenCount: 5, totalTokenCount: 5 },
          responseId: "r2",
        }),
        data({
          candidates: [
            { content: { role: "model", parts: [{ text: "b" }] }, finishReason: "MAX_TOKENS", index: 1 },
          ],
          usageMetadata: { promptTokenCount: 5, candidatesTokenCount: 3, totalTokenCount: 8 },
          responseId: "r2",
        }),
      ],
      "gemini-2.0-flash",
    );
    expect(events).toEqual([
      [
        chunk(header, [roleChoice]),
        chunk(header, [text("A")], { content: true }),
        chunk(header, [finish("stop")], { finishReason: "stop" }),
        chunk(header, [role1]),
        chunk(header, [text("B", 1)], { content: true }),
      ],
      [
        chunk(header, [text("b", 1)], { content: true }),
        chunk(header, [finish("length", 1)], { finishReason: "length" }),
        chunk(header, [], {
          usage: {
            prompt_tokens: 5,
            completion_tokens: 3,
            total_tokens: 8,
            prompt_tokens_details: { cached_tokens: 0 },
            completion_tokens_details: { reasoning_tokens: 0 },
          },
        }),
      ],
    ]);
  });

  it("puts logprobsResult on the content delta", () => {
    const header = { id: "chatcmpl-lp", model: "gemini-2.0-flash" };
    const logprobsResult = {
      topCandidates: [{ candidates: [{ token: "Hi", tokenId: 1, logProbability: -0.5 }] }],
      chosenCandidates: [{ token: "Hi", tokenId: 1, logProbability: -0.5 }],
    };
    const payload = {
      candidates: [{ content: { role: "model", parts: [{ text: "Hi" }] }, logprobsResult, index: 0 }],
      responseId: "lp",
    };
    validateGeminiResponse(payload);
    const top = { token: "Hi", logprob: -0.5, bytes: [72, 105] };
    expect(run([data(payload)], "gemini-2.0-flash")).toEqual([
      [
        chunk(header, [roleChoice]),
        chunk(
          header,
          [{ ...text("Hi"), logprobs: { content: [{ ...top, top_logprobs: [top] }], refusal: null } }],
          {
            content: true,
          },
        ),
      ],
    ]);
  });

  it("reports a blocked prompt as a prompt_blocked error event", () => {
    const body = loadJson("prompt-blocked.json");
    expect(run([data(body)])).toEqual([
      [
        {
          type: "error",
          errorType: "prompt_blocked",
          message: "Gemini blocked the prompt (blockReason PROHIBITED_CONTENT).",
          payload: body,
        },
      ],
    ]);
  });

  it("reports an in-stream error payload typed by its status, also when wrapped in an array", () => {
    const unavailable = loadJson("error-503-unavailable.json");
    const quota = JSON.parse(JSON.stringify([loadJson("error-429-quota.json")])) as unknown[];
    const events = run([data(unavailable), data(quota)]);
    expect(events[0]).toEqual([
      {
        type: "error",
        errorType: "UNAVAILABLE",
        message: "The model is overloaded. Please try again later.",
        payload: unavailable,
      },
    ]);
    expect(events[1]).toEqual([
      expect.objectContaining({ type: "error", errorType: "RESOURCE_EXHAUSTED", payload: quota[0] }),
    ]);
  });

  it("marks unparsable payloads malformed and emits no done event", () => {
    const events = run([
      { event: undefined, data: '{"candidates": [' },
      { event: undefined, data: "42" },
    ]);
    expect(events).toEqual([
      [{ type: "malformed", data: '{"candidates": [' }],
      [{ type: "malformed", data: "42" }],
    ]);
  });
});
