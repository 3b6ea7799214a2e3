import OpenAI, { BadRequestError, RateLimitError } from "openai";
import type { ChatCompletionChunk } from "openai/resources/chat/completions";
import { afterEach, describe, expect, it } from "vitest";
import { answerPieces, embeddingVector, formatGoDuration, startSimulator } from "./index.js";
import type { Simulator, SimulatorOptions } from "./index.js";

let sim: Simulator | undefined;

async function start(options?: SimulatorOptions): Promise<Simulator> {
  sim = await startSimulator(options);
  return sim;
}

afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

function client(target: Simulator, apiKey = "k1"): OpenAI {
  return new OpenAI({ baseURL: target.url, apiKey, maxRetries: 0 });
}

function post(target: Simulator, path: string, body: unknown, key = "k1"): Promise<Response> {
  return fetch(`${target.url}${path}`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

/** The `data:` payloads of an SSE body, checking the framing. */
function dataLines(text: string): string[] {
  expect(text.endsWith("\n\n")).toBe(true);
  return text
    .slice(0, -2)
    .split("\n\n")
    .map((event) => {
      expect(event.startsWith("data: ")).toBe(true);
      return event.slice(6);
    });
}

const messages = [
  { role: "system" as const, content: "You are terse." },
  { role: "user" as const, content: "Say hello" },
];
/** ceil((14 + 9) / 4) + 2 * 4 */
const PROMPT_TOKENS = 14;
const TEXT = "Hello from gpt-4o-mini via key k1.";

async function collect(stream: AsyncIterable<ChatCompletionChunk>): Promise<ChatCompletionChunk[]> {
  const chunks: ChatCompletionChunk[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return chunks;
}

describe("chat completions", () => {
  it("answers a deterministic non-stream completion with usage", async () => {
    const target = await start();
    const completion = await client(target).chat.completions.create({ model: "gpt-4o-mini", messages });
    expect(answerPieces("gpt-4o-mini", "k1", 5).join("")).toBe(TEXT);
    expect(completion).toEqual({
      id: "chatcmpl-sim-1",
      object: "chat.completion",
      created: expect.any(Number),
      model: "gpt-4o-mini",
      choices: [
        {
          index: 0,
          message: { role: "assistant", content: TEXT, refusal: null },
          logprobs: null,
          finish_reason: "stop",
        },
      ],
      usage: { prompt_tokens: PROMPT_TOKENS, completion_tokens: 5, total_tokens: PROMPT_TOKENS + 5 },
    });
    const [record] = target.requests;
    expect(record).toMatchObject({ method: "POST", path: "/v1/chat/completions", key: "k1", status: 200 });
    expect(record?.model).toBe("gpt-4o-mini");
    expect(record?.aborted).toBe(false);
    expect(record?.body).toMatchObject({ model: "gpt-4o-mini", messages });
  });

  it("caps the answer with max_tokens and finishes with length", async () => {
    const target = await start({ chunks: 8 });
    const completion = await client(target).chat.completions.create({
      model: "m",
      messages,
      max_completion_tokens: 3,
    });
    expect(completion.choices[0]?.message.content).toBe("Hello from m via key");
    expect(completion.choices[0]?.finish_reason).toBe("length");
    expect(completion.usage?.completion_tokens).toBe(3);
    const full = await client(target).chat.completions.create({ model: "m", messages });
    expect(full.choices[0]?.message.content).toBe("Hello from m via key k1. Part 6. Part 7. Part 8.");
  });

  it("streams role, content, finish chunks and [DONE], the same text as non-stream", async () => {
    const target = await start();
    const response = await post(target, "/chat/completions", {
      model: "gpt-4o-mini",
      messages,
      stream: true,
    });
    expect(response.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const lines = dataLines(await response.text());
    expect(lines.at(-1)).toBe("[DONE]");
    const chunks = lines.slice(0, -1).map((line) => JSON.parse(line) as ChatCompletionChunk);
    expect(chunks).toHaveLength(7);
    expect(new Set(chunks.map((chunk) => chunk.id))).toEqual(new Set(["chatcmpl-sim-1"]));
    expect(chunks[0]?.choices[0]?.delta).toEqual({ role: "assistant", content: "" });
    const content = chunks.map((chunk) => chunk.choices[0]?.delta.content ?? "").join("");
    expect(content).toBe(TEXT);
    expect(chunks.slice(0, -1).every((chunk) => chunk.choices[0]?.finish_reason === null)).toBe(true);
    expect(chunks.at(-1)?.choices[0]).toEqual({ index: 0, delta: {}, logprobs: null, finish_reason: "stop" });
    expect(chunks.every((chunk) => !("usage" in chunk))).toBe(true);
  });

  it("streams usage only when include_usage is set", async () => {
    const target = await start();
    const chunks = await collect(
      await client(target).chat.completions.create({
        model: "gpt-4o-mini",
        messages,
        stream: true,
        stream_options: { include_usage: true },
      }),
    );
    expect(chunks).toHaveLength(8);
    expect(chunks.slice(0, -1).every((chunk) => chunk.usage === null)).toBe(true);
    expect(chunks.at(-1)).toMatchObject({
      choices: [],
      usage: { prompt_tokens: PROMPT_TOKENS, completion_tokens: 5, total_tokens: PROMPT_TOKENS + 5 },
    });
    expect(chunks.at(-2)?.choices[0]?.finish_reason).toBe("stop");
  });

  const tools = [
    {
      type: "function" as const,
      function: {
        name: "get_weather",
        parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
      },
    },
    {
      type: "function" as const,
      function: {
        name: "get_time",
        parameters: { type: "object", properties: { utc: { type: "boolean" } } },
      },
    },
  ];

  it("streams a tool call as index-0 deltas", async () => {
    const target = await start();
    const chunks = await collect(
      await client(target).chat.completions.create({
        model: "m",
        messages,
        tools,
        tool_choice: "required",
        stream: true,
      }),
    );
    const calls = chunks.flatMap((chunk) => chunk.choices[0]?.delta.tool_calls ?? []);
    expect(calls[0]).toEqual({
      index: 0,
      id: "call_sim_1",
      type: "function",
      function: { name: "get_weather", arguments: "" },
    });
    expect(calls.length).toBeGreaterThan(2);
    expect(calls.slice(1).every((call) => call.index === 0 && call.id === undefined)).toBe(true);
    const args = calls.map((call) => call.function?.arguments ?? "").join("");
    expect(JSON.parse(args)).toEqual({ city: "Paris" });
    expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe("tool_calls");
  });

  it("calls the named tool, or the first one when asked to call a tool", async () => {
    const target = await start();
    const named = await client(target).chat.completions.create({
      model: "m",
      messages,
      tools,
      tool_choice: { type: "function", function: { name: "get_time" } },
    });
    expect(named.choices[0]?.finish_reason).toBe("tool_calls");
    expect(named.choices[0]?.message.content).toBeNull();
    expect(named.choices[0]?.message.tool_calls).toEqual([
      { id: "call_sim_1", type: "function", function: { name: "get_time", arguments: '{"utc":true}' } },
    ]);
    const asked = await client(target).chat.completions.create({
      model: "m",
      messages: [{ role: "user", content: "Please call a tool" }],
      tools,
    });
    const call = asked.choices[0]?.message.tool_calls?.[0];
    expect(call?.type === "function" ? call.function.name : undefined).toBe("get_weather");
    const plain = await client(target).chat.completions.create({ model: "m", messages, tools });
    expect(plain.choices[0]?.message.content).toBe("Hello from m via key k1.");
  });

  it("answers JSON for response_format json_object", async () => {
    const target = await start();
    const completion = await client(target).chat.completions.create({
      model: "m",
      messages,
      response_format: { type: "json_object" },
    });
    expect(JSON.parse(completion.choices[0]?.message.content ?? "")).toEqual({
      answer: "Hello from m via key k1.",
    });
  });

  it("rejects malformed JSON, missing fields and unknown paths with OpenAI error bodies", async () => {
    const target = await start();
    const malformed = await post(target, "/chat/completions", "{oops");
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({ error: { type: "invalid_request_error", code: null } });
    const missing = await post(target, "/chat/completions", { model: "m" });
    expect(missing.status).toBe(400);
    expect(await missing.json()).toMatchObject({ error: { param: "messages" } });
    const noModel = await post(target, "/chat/completions", { messages });
    expect(noModel.status).toBe(400);
    const unknown = await post(target, "/responses", { model: "m" });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({
      error: {
        message: "Invalid URL (POST /v1/responses)",
        type: "invalid_request_error",
        param: null,
        code: null,
      },
    });
  });

  it("answers context_length_exceeded above a model's context window", async () => {
    const target = await start({ models: { small: { contextWindow: 20 } } });
    const long = [{ role: "user" as const, content: "x".repeat(100) }];
    const error = await client(target)
      .chat.completions.create({ model: "small", messages: long })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(BadRequestError);
    const apiError = error as BadRequestError;
    expect(apiError.code).toBe("context_length_exceeded");
    expect(apiError.param).toBe("messages");
    expect(apiError.message).toContain("maximum context length is 20 tokens");
    expect(apiError.message).toContain("resulted in 29 tokens");
    const ok = await client(target).chat.completions.create({ model: "small", messages });
    expect(ok.choices[0]?.finish_reason).toBe("stop");
  });

  it("honours latencyMs and chunkDelayMs", async () => {
    const target = await start({ latencyMs: 60, chunkDelayMs: 20 });
    const started = Date.now();
    await client(target).chat.completions.create({ model: "m", messages });
    expect(Date.now() - started).toBeGreaterThanOrEqual(55);
    const streamStart = Date.now();
    const chunks = await collect(
      await client(target).chat.completions.create({ model: "m", messages, stream: true }),
    );
    expect(chunks).toHaveLength(7);
    // 60 ms latency + 7 gaps of 20 ms between the 8 events.
    expect(Date.now() - streamStart).toBeGreaterThanOrEqual(180);
  });
});

describe("rate limits", () => {
  it("answers 429 after rpm requests with OpenAI headers, and resets after the window", async () => {
    let now = 1_000_000;
    const target = await start({ keys: { k1: { rpm: 2 } }, windowMs: 1000, clock: () => now });
    const first = await post(target, "/chat/completions", { model: "m", messages });
    expect(first.status).toBe(200);
    expect(first.headers.get("x-ratelimit-limit-requests")).toBe("2");
    expect(first.headers.get("x-ratelimit-remaining-requests")).toBe("1");
    expect(first.headers.get("x-ratelimit-reset-requests")).toBe("1s");
    expect(first.headers.get("x-ratelimit-limit-tokens")).toBeNull();
    now += 250;
    const second = await post(target, "/chat/completions", { model: "m", messages });
    expect(second.headers.get("x-ratelimit-remaining-requests")).toBe("0");
    expect(second.headers.get("x-ratelimit-reset-requests")).toBe("750ms");
    now += 150;
    const limited = await post(target, "/chat/completions", { model: "m", messages });
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("1");
    expect(limited.headers.get("retry-after-ms")).toBe("600");
    expect(limited.headers.get("x-ratelimit-reset-requests")).toBe("600ms");
    expect(limited.headers.get("x-ratelimit-remaining-requests")).toBe("0");
    expect(await limited.json()).toEqual({
      error: {
        message:
          "Rate limit reached for requests per min (RPM) on key k1: Limit 2, Used 2, Requested 1. Please try again in 600ms.",
        type: "requests",
        param: null,
        code: "rate_limit_exceeded",
      },
    });
    const error = await client(target)
      .chat.completions.create({ model: "m", messages })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RateLimitError);
    expect((error as RateLimitError).headers?.get("retry-after-ms")).toBe("600");
    expect(target.requests.map((record) => record.status)).toEqual([200, 200, 429, 429]);
    now += 600;
    const again = await post(target, "/chat/completions", { model: "m", messages });
    expect(again.status).toBe(200);
    expect(again.headers.get("x-ratelimit-remaining-requests")).toBe("1");
    // Other keys have no limits and no headers.
    const other = await post(target, "/chat/completions", { model: "m", messages }, "k2");
    expect(other.status).toBe(200);
    expect(other.headers.get("x-ratelimit-limit-requests")).toBeNull();
  });

  it("counts prompt plus max tokens against tpm", async () => {
    const now = 5_000;
    const target = await start({ keys: { k1: { tpm: 40 } }, windowMs: 60_000, clock: () => now });
    const body = { model: "m", messages, max_tokens: 10 }; // costs 14 + 10
    const first = await post(target, "/chat/completions", body);
    expect(first.status).toBe(200);
    expect(first.headers.get("x-ratelimit-remaining-tokens")).toBe("16");
    expect(first.headers.get("x-ratelimit-reset-tokens")).toBe("1m0s");
    const second = await post(target, "/chat/completions", body);
    expect(second.status).toBe(429);
    expect(second.headers.get("retry-after")).toBe("60");
    expect(await second.json()).toMatchObject({ error: { type: "tokens", code: "rate_limit_exceeded" } });
    const small = await post(target, "/chat/completions", {
      model: "m",
      messages: [{ role: "user", content: "hi" }],
      max_tokens: 1,
    });
    expect(small.status).toBe(200);
    expect(small.headers.get("x-ratelimit-remaining-tokens")).toBe("10");
  });

  it("requires known keys when asked, and setKey/reset update the state", async () => {
    const target = await start({ keys: { k1: { rpm: 1 } }, requireKnownKeys: true });
    const unknown = await post(target, "/chat/completions", { model: "m", messages }, "nope");
    expect(unknown.status).toBe(401);
    expect(await unknown.json()).toMatchObject({ error: { code: "invalid_api_key" } });
    expect((await post(target, "/chat/completions", { model: "m", messages })).status).toBe(200);
    expect((await post(target, "/chat/completions", { model: "m", messages })).status).toBe(429);
    target.setKey("nope", {});
    expect((await post(target, "/chat/completions", { model: "m", messages }, "nope")).status).toBe(200);
    target.reset();
    expect(target.requests).toHaveLength(0);
    expect((await post(target, "/chat/completions", { model: "m", messages })).status).toBe(200);
  });
});

describe("embeddings and models", () => {
  it("answers deterministic float and base64 embeddings the SDK decodes", async () => {
    const target = await start();
    const response = await post(target, "/embeddings", {
      model: "e",
      input: ["alpha", "beta"],
      encoding_format: "float",
    });
    const floats = (await response.json()) as {
      data: { embedding: number[]; index: number }[];
      usage: unknown;
    };
    expect(floats.data.map((item) => item.index)).toEqual([0, 1]);
    expect(floats.data[0]?.embedding).toEqual(embeddingVector("alpha"));
    expect(floats.data[0]?.embedding).toHaveLength(8);
    expect(floats.data[0]?.embedding).not.toEqual(floats.data[1]?.embedding);
    expect(floats.usage).toEqual({ prompt_tokens: 3, total_tokens: 3 });
    const decoded = await client(target).embeddings.create({ model: "e", input: ["alpha", "beta"] });
    expect((target.requests.at(-1)?.body as { encoding_format?: string }).encoding_format).toBe("base64");
    expect(decoded.data.map((item) => item.embedding)).toEqual(floats.data.map((item) => item.embedding));
    const sized = await client(target).embeddings.create({ model: "e", input: "alpha", dimensions: 3 });
    expect(sized.data[0]?.embedding).toEqual(embeddingVector("alpha", 3));
  });

  it("lists the configured models, or a default list", async () => {
    const target = await start({ models: { "model-a": {}, "model-b": { contextWindow: 100 } } });
    const page = await client(target).models.list();
    expect(page.data).toEqual([
      { id: "model-a", object: "model", created: 1_700_000_000, owned_by: "llmux-sim" },
      { id: "model-b", object: "model", created: 1_700_000_000, owned_by: "llmux-sim" },
    ]);
    await target.close();
    const plain = await start();
    const ids = (await client(plain).models.list()).data.map((model) => model.id);
    expect(ids).toContain("gpt-4o-mini");
  });
});

describe("formatGoDuration", () => {
  it.each([
    [0, "0s"],
    [20, "20ms"],
    [1000, "1s"],
    [1200, "1.2s"],
    [360_000, "6m0s"],
    [179_560, "2m59.56s"],
    [3_600_000, "1h0m0s"],
  ])("formats %d ms as %s", (ms, expected) => {
    expect(formatGoDuration(ms)).toBe(expected);
  });
});
