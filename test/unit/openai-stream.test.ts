import { describe, expect, it } from "vitest";
import { readOpenAIError, type OpenAIErrorFields } from "../../src/providers/openai/error.js";
import { mapOpenAIStream, mapOpenAIStreamData } from "../../src/providers/openai/stream.js";
import type { StreamEvent } from "../../src/types/index.js";
import type { SseMessage } from "../../src/util/sse.js";

const base = { id: "chatcmpl-1", object: "chat.completion.chunk", created: 1_700_000_000, model: "gpt-4o" };
const usage = { prompt_tokens: 9, completion_tokens: 12, total_tokens: 21 };

function chunkData(choices: unknown[], extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ ...base, choices, ...extra });
}

/** The summary fields of a chunk event (everything but the parsed chunk). */
interface Summary {
  type: "chunk";
  content: boolean;
  finishReason: string | null;
  usage: unknown;
  usageOnly: boolean;
}

const roleOnly = chunkData([
  { index: 0, delta: { role: "assistant", content: "" }, logprobs: null, finish_reason: null },
]);
const content = chunkData([{ index: 0, delta: { content: "Hello" }, logprobs: null, finish_reason: null }]);
const toolCallStart = chunkData([
  {
    index: 0,
    delta: {
      role: "assistant",
      content: null,
      tool_calls: [
        { index: 0, id: "call_1", type: "function", function: { name: "get_weather", arguments: "" } },
      ],
    },
    finish_reason: null,
  },
]);
const toolCallArgs = chunkData([
  {
    index: 0,
    delta: { tool_calls: [{ index: 0, function: { arguments: '{"city":' } }] },
    finish_reason: null,
  },
]);
const refusal = chunkData([{ index: 0, delta: { refusal: "I can't help with that." }, finish_reason: null }]);
const legacyFunctionCall = chunkData([
  { index: 0, delta: { function_call: { name: "f", arguments: "" } }, finish_reason: null },
]);
const finish = chunkData([{ index: 0, delta: {}, logprobs: null, finish_reason: "stop" }]);
const finishToolCalls = chunkData([{ index: 0, delta: {}, finish_reason: "tool_calls" }]);
const finishWithUsage = chunkData([{ index: 0, delta: {}, finish_reason: "length" }], { usage });
const usageOnly = chunkData([], { usage });
const emptyChoices = chunkData([]);
const nullUsage = chunkData([{ index: 0, delta: { content: "x" }, finish_reason: null }], { usage: null });
const multiChoice = chunkData([
  { index: 0, delta: {}, finish_reason: null },
  { index: 1, delta: { content: "b" }, finish_reason: "stop" },
  { index: 2, delta: {}, finish_reason: "length" },
]);
const emptyToolCalls = chunkData([{ index: 0, delta: { tool_calls: [] }, finish_reason: null }]);
const nonRecordChoices = chunkData([null, "x", { index: 0, delta: "nope", finish_reason: 3 }]);

describe("mapOpenAIStreamData: chunks", () => {
  it.each<[string, string, Omit<Summary, "type">]>([
    [
      "role-only first chunk",
      roleOnly,
      { content: false, finishReason: null, usage: null, usageOnly: false },
    ],
    ["content chunk", content, { content: true, finishReason: null, usage: null, usageOnly: false }],
    [
      "tool-call start delta",
      toolCallStart,
      { content: true, finishReason: null, usage: null, usageOnly: false },
    ],
    [
      "tool-call arguments delta",
      toolCallArgs,
      { content: true, finishReason: null, usage: null, usageOnly: false },
    ],
    [
      "empty tool_calls array",
      emptyToolCalls,
      { content: false, finishReason: null, usage: null, usageOnly: false },
    ],
    ["refusal", refusal, { content: true, finishReason: null, usage: null, usageOnly: false }],
    [
      "legacy function_call",
      legacyFunctionCall,
      { content: true, finishReason: null, usage: null, usageOnly: false },
    ],
    ["finish chunk", finish, { content: false, finishReason: "stop", usage: null, usageOnly: false }],
    [
      "finish tool_calls",
      finishToolCalls,
      { content: false, finishReason: "tool_calls", usage: null, usageOnly: false },
    ],
    [
      "finish with usage",
      finishWithUsage,
      { content: false, finishReason: "length", usage, usageOnly: false },
    ],
    [
      "usage-only chunk (choices: [])",
      usageOnly,
      { content: false, finishReason: null, usage, usageOnly: true },
    ],
    [
      "empty choices without usage",
      emptyChoices,
      { content: false, finishReason: null, usage: null, usageOnly: false },
    ],
    ["usage: null", nullUsage, { content: true, finishReason: null, usage: null, usageOnly: false }],
    [
      "several choices: first finish reason",
      multiChoice,
      { content: true, finishReason: "stop", usage: null, usageOnly: false },
    ],
    [
      "non-record choices and deltas skipped",
      nonRecordChoices,
      { content: false, finishReason: null, usage: null, usageOnly: false },
    ],
  ])("%s", (_name, data, expected) => {
    const event = mapOpenAIStreamData(data);
    expect(event).toEqual({ type: "chunk", data, chunk: JSON.parse(data) as unknown, ...expected });
  });

  it("keeps the data text exactly as received", () => {
    const spaced = '{ "id": "x", "choices": [ { "index": 0, "delta": { "content": "é" } } ] }';
    const event = mapOpenAIStreamData(spaced);
    expect(event.type === "chunk" ? event.data : null).toBe(spaced);
  });
});

describe("mapOpenAIStreamData: other events", () => {
  it.each<[string, string, StreamEvent]>([
    ["[DONE]", "[DONE]", { type: "done" }],
    ["non-JSON", "not json", { type: "malformed", data: "not json" }],
    ["truncated JSON", '{"choices":[', { type: "malformed", data: '{"choices":[' }],
    ["empty string", "", { type: "malformed", data: "" }],
    ["[DONE] with spaces is not done", " [DONE]", { type: "malformed", data: " [DONE]" }],
    ["JSON array", "[1,2]", { type: "malformed", data: "[1,2]" }],
    ["JSON string", '"hi"', { type: "malformed", data: '"hi"' }],
    ["JSON null", "null", { type: "malformed", data: "null" }],
    [
      "JSON without choices",
      '{"id":"x","object":"chat.completion.chunk"}',
      { type: "malformed", data: '{"id":"x","object":"chat.completion.chunk"}' },
    ],
    ["choices not an array", '{"choices":{}}', { type: "malformed", data: '{"choices":{}}' }],
    [
      "in-band error (OpenAI shape)",
      '{"error":{"message":"The server had an error","type":"server_error","param":null,"code":null}}',
      {
        type: "error",
        errorType: "server_error",
        message: "The server had an error",
        payload: {
          error: { message: "The server had an error", type: "server_error", param: null, code: null },
        },
      },
    ],
    [
      "in-band error with code only",
      '{"error":{"message":"Overloaded","code":"overloaded_error"}}',
      {
        type: "error",
        errorType: "overloaded_error",
        message: "Overloaded",
        payload: { error: { message: "Overloaded", code: "overloaded_error" } },
      },
    ],
    [
      "in-band error with numeric code and no type",
      '{"error":{"message":"Rate limited","code":429}}',
      {
        type: "error",
        errorType: null,
        message: "Rate limited",
        payload: { error: { message: "Rate limited", code: 429 } },
      },
    ],
    [
      "in-band error as a string",
      '{"error":"boom"}',
      { type: "error", errorType: null, message: "Upstream stream error", payload: { error: "boom" } },
    ],
    [
      "error: null is not an error",
      '{"error":null,"choices":[]}',
      {
        type: "chunk",
        data: '{"error":null,"choices":[]}',
        chunk: { error: null, choices: [] } as never,
        content: false,
        finishReason: null,
        usage: null,
        usageOnly: false,
      },
    ],
  ])("%s", (_name, data, expected) => {
    expect(mapOpenAIStreamData(data)).toEqual(expected);
  });
});

describe("mapOpenAIStream", () => {
  async function* messages(list: readonly SseMessage[]): AsyncGenerator<SseMessage[]> {
    for (const message of list) yield [message];
  }

  it("maps data events in order and skips named events other than message and error", async () => {
    const input: SseMessage[] = [
      { event: undefined, data: roleOnly },
      { event: "message", data: content },
      { event: "ping", data: "{}" },
      { event: "keepalive", data: "not json" },
      { event: undefined, data: finish },
      { event: "error", data: '{"error":{"message":"late","type":"server_error"}}' },
      { event: undefined, data: usageOnly },
      { event: undefined, data: "garbage" },
      { event: undefined, data: "[DONE]" },
    ];
    const out: StreamEvent[] = [];
    for await (const batch of mapOpenAIStream(messages(input))) out.push(...batch);
    expect(
      out.map((event) => (event.type === "chunk" ? `chunk:${event.content}:${event.usageOnly}` : event.type)),
    ).toEqual([
      "chunk:false:false",
      "chunk:true:false",
      "chunk:false:false",
      "error",
      "chunk:false:true",
      "malformed",
      "done",
    ]);
    expect(out[3]).toEqual({
      type: "error",
      errorType: "server_error",
      message: "late",
      payload: { error: { message: "late", type: "server_error" } },
    });
  });

  it("yields nothing for an empty stream", async () => {
    const out: StreamEvent[] = [];
    for await (const batch of mapOpenAIStream(messages([]))) out.push(...batch);
    expect(out).toEqual([]);
  });
});

describe("readOpenAIError", () => {
  const none: OpenAIErrorFields = { message: null, type: null, code: null, param: null };

  it.each<[string, unknown, OpenAIErrorFields]>([
    [
      "OpenAI shape",
      {
        error: {
          message:
            "Incorrect API key provided: sk-abc***. You can find your API key at https://platform.openai.com/account/api-keys.",
          type: "invalid_request_error",
          param: null,
          code: "invalid_api_key",
        },
      },
      {
        message:
          "Incorrect API key provided: sk-abc***. You can find your API key at https://platform.openai.com/account/api-keys.",
        type: "invalid_request_error",
        code: "invalid_api_key",
        param: null,
      },
    ],
    [
      "OpenAI context length with param",
      {
        error: {
          message: "This model's maximum context length is 8192 tokens.",
          type: "invalid_request_error",
          param: "messages",
          code: "context_length_exceeded",
        },
      },
      {
        message: "This model's maximum context length is 8192 tokens.",
        type: "invalid_request_error",
        code: "context_length_exceeded",
        param: "messages",
      },
    ],
    [
      "Groq shape",
      {
        error: {
          message: "Rate limit reached for model `llama-3.3-70b-versatile`. Please try again in 2m59.56s.",
          type: "tokens",
          code: "rate_limit_exceeded",
        },
      },
      {
        message: "Rate limit reached for model `llama-3.3-70b-versatile`. Please try again in 2m59.56s.",
        type: "tokens",
        code: "rate_limit_exceeded",
        param: null,
      },
    ],
    ["bare message", { message: "Not Found" }, { ...none, message: "Not Found" }],
    [
      "bare message with type",
      { message: "nope", type: "x", code: 5 },
      { message: "nope", type: "x", code: "5", param: null },
    ],
    ["string error", { error: "Invalid token" }, { ...none, message: "Invalid token" }],
    [
      "Gemini shape wrapped in an array",
      [
        {
          error: {
            code: 429,
            message: "Resource has been exhausted (e.g. check quota).",
            status: "RESOURCE_EXHAUSTED",
          },
        },
      ],
      {
        message: "Resource has been exhausted (e.g. check quota).",
        type: "RESOURCE_EXHAUSTED",
        code: "429",
        param: null,
      },
    ],
    [
      "Gemini shape unwrapped, API key invalid",
      {
        error: {
          code: 400,
          message: "API key not valid. Please pass a valid API key.",
          status: "INVALID_ARGUMENT",
        },
      },
      {
        message: "API key not valid. Please pass a valid API key.",
        type: "INVALID_ARGUMENT",
        code: "400",
        param: null,
      },
    ],
    [
      "type wins over status",
      { error: { message: "m", type: "t", status: "S" } },
      { message: "m", type: "t", code: null, param: null },
    ],
    ["plain text body", "Bad Gateway", { ...none, message: "Bad Gateway" }],
    ["array-wrapped text", ["upstream exploded"], { ...none, message: "upstream exploded" }],
    ["null", null, none],
    ["undefined", undefined, none],
    ["number", 502, none],
    ["empty object", {}, none],
    ["empty array", [], none],
    ["error is a number", { error: 5 }, none],
    ["non-string fields dropped", { error: { message: { nested: true }, type: ["x"], code: null } }, none],
  ])("%s", (_name, body, expected) => {
    expect(readOpenAIError(body)).toEqual(expected);
  });
});
