/**
 * The official `openai` SDK against a listening gateway over the simulator. Every object the SDK returns
 * and every raw HTTP body it received (through {@link SpecCapture}) is validated against the OpenAI spec.
 */
import OpenAI from "openai";
import type {
  ChatCompletionChunk,
  ChatCompletionCreateParamsNonStreaming,
  ChatCompletionMessageParam,
  ChatCompletionTool,
} from "openai/resources/chat/completions";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { embeddingVector } from "../../src/sim/index.js";
import { validateOpenAI } from "../helpers/openai-spec.js";
import { SpecCapture } from "./spec-capture.js";
import { CLIENT_KEY, KEYS, startStack, type Stack } from "./stack.js";

let stack: Stack;
let client: OpenAI;
const capture = new SpecCapture();

beforeAll(async () => {
  stack = await startStack();
  client = new OpenAI({ baseURL: stack.baseURL, apiKey: CLIENT_KEY, maxRetries: 0, fetch: capture.fetch });
});
afterAll(async () => {
  await stack.close();
});
afterEach(async () => {
  stack.reset();
  await capture.verifyAndClear();
});

const hi: ChatCompletionMessageParam[] = [{ role: "user", content: "hi" }];
const ANSWER_A = "Hello from gpt-4o-mini via key a001.";

const weatherTool: ChatCompletionTool = {
  type: "function",
  function: {
    name: "get_weather",
    description: "Current weather in a city",
    parameters: {
      type: "object",
      properties: { city: { type: "string" }, unit: { type: "string", enum: ["c", "f"] } },
      required: ["city"],
    },
  },
};

/** The body the simulator received for request `index`. */
function upstreamBody(index = 0): Record<string, unknown> {
  const record = stack.sim.requests[index];
  expect(record, `upstream request #${index}`).toBeDefined();
  return record!.body as Record<string, unknown>;
}

async function collect(stream: AsyncIterable<ChatCompletionChunk>): Promise<ChatCompletionChunk[]> {
  const chunks: ChatCompletionChunk[] = [];
  for await (const chunk of stream) {
    validateOpenAI("CreateChatCompletionStreamResponse", chunk);
    chunks.push(chunk);
  }
  return chunks;
}

describe("openai SDK → gateway: chat completions", () => {
  it("answers a non-stream chat with a spec-valid body and llmux headers", async () => {
    const { data, response } = await client.chat.completions
      .create({ model: "chat", messages: hi })
      .withResponse();
    validateOpenAI("CreateChatCompletionResponse", data);
    expect(data.object).toBe("chat.completion");
    expect(data.choices).toHaveLength(1);
    expect(data.choices[0]?.message).toMatchObject({ role: "assistant", content: ANSWER_A });
    expect(data.choices[0]?.finish_reason).toBe("stop");
    expect(data.usage).toMatchObject({ completion_tokens: 5 });
    expect(data.usage!.total_tokens).toBe(data.usage!.prompt_tokens + 5);
    expect(response.status).toBe(200);
    expect(response.headers.get("x-llmux-deployment")).toBe("a/gpt-4o-mini");
    expect(response.headers.get("x-llmux-attempts")).toBe("1");
    const [record] = await capture.settle();
    expect(record).toMatchObject({ status: 200, kind: "json", validated: ["CreateChatCompletionResponse"] });
    expect(stack.sim.requests).toHaveLength(1);
    // The upstream sees the pool's key, never the client's.
    const upstreamHeaders = stack.sim.requests[0]!.headers;
    expect(upstreamHeaders["authorization"]).toBe(`Bearer ${KEYS.a}`);
    expect(JSON.stringify(upstreamHeaders)).not.toContain(CLIENT_KEY);
  });

  it("streams without usage when include_usage is not asked", async () => {
    const stream = await client.chat.completions.create({ model: "chat", messages: hi, stream: true });
    const chunks = await collect(stream);
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? "").join("")).toBe(ANSWER_A);
    expect(chunks[0]?.choices[0]?.delta.role).toBe("assistant");
    expect(chunks.every((c) => c.choices.length === 1)).toBe(true);
    expect(chunks.every((c) => c.usage === null || c.usage === undefined)).toBe(true);
    expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe("stop");
    expect(new Set(chunks.map((c) => c.id)).size).toBe(1);
    const [record] = await capture.settle();
    expect(record?.kind).toBe("sse");
    expect(record?.headers.get("content-type")).toContain("text/event-stream");
    expect(record?.done).toBe(true);
    expect(record?.events).toHaveLength(chunks.length);
    expect(record?.validated).toEqual(chunks.map(() => "CreateChatCompletionStreamResponse"));
  });

  it("streams a final usage chunk with choices: [] when include_usage is asked", async () => {
    const stream = await client.chat.completions.create({
      model: "chat",
      messages: hi,
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks = await collect(stream);
    const last = chunks.at(-1)!;
    expect(last.choices).toEqual([]);
    expect(last.usage).toMatchObject({ completion_tokens: 5 });
    expect(last.usage!.total_tokens).toBe(last.usage!.prompt_tokens + 5);
    expect(chunks.filter((c) => c.choices.length === 0)).toHaveLength(1);
    expect(chunks.slice(0, -1).every((c) => c.usage === null)).toBe(true);
    expect(chunks.at(-2)?.choices[0]?.finish_reason).toBe("stop");
    expect(upstreamBody().stream_options).toEqual({ include_usage: true });
    const [record] = await capture.settle();
    expect(record?.done).toBe(true);
    expect(record?.events.at(-1)).toMatchObject({ choices: [], usage: { completion_tokens: 5 } });
  });

  it("returns a tool call (tools + tool_choice required) with id, type and function", async () => {
    const completion = await client.chat.completions.create({
      model: "chat",
      messages: [{ role: "user", content: "Weather in Paris?" }],
      tools: [weatherTool],
      tool_choice: "required",
    });
    validateOpenAI("CreateChatCompletionResponse", completion);
    const choice = completion.choices[0]!;
    expect(choice.finish_reason).toBe("tool_calls");
    expect(choice.message.content).toBeNull();
    expect(choice.message.tool_calls).toHaveLength(1);
    const call = choice.message.tool_calls![0]!;
    expect(call).toMatchObject({ type: "function", function: { name: "get_weather" } });
    expect(call.id).toMatch(/^call_/);
    if (call.type !== "function") throw new Error("expected a function tool call");
    expect(JSON.parse(call.function.arguments)).toEqual({ city: "Paris" });
    expect(upstreamBody()).toMatchObject({ tools: [weatherTool], tool_choice: "required" });
  });

  it("streams tool-call deltas with index, and the SDK's stream helper rebuilds the call", async () => {
    const stream = await client.chat.completions.create({
      model: "chat",
      messages: [{ role: "user", content: "Weather in Paris?" }],
      tools: [weatherTool],
      tool_choice: { type: "function", function: { name: "get_weather" } },
      stream: true,
    });
    const chunks = await collect(stream);
    const deltas = chunks.flatMap((c) => c.choices[0]?.delta.tool_calls ?? []);
    expect(deltas.length).toBeGreaterThan(2);
    expect(deltas.every((d) => d.index === 0)).toBe(true);
    expect(deltas[0]).toMatchObject({ index: 0, type: "function", function: { name: "get_weather" } });
    expect(deltas[0]?.id).toMatch(/^call_/);
    expect(deltas.slice(1).every((d) => d.id === undefined)).toBe(true);
    const args = deltas.map((d) => d.function?.arguments ?? "").join("");
    expect(JSON.parse(args)).toEqual({ city: "Paris" });
    expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe("tool_calls");

    const helper = client.chat.completions.stream({
      model: "chat",
      messages: [{ role: "user", content: "Weather in Paris?" }],
      tools: [weatherTool],
      tool_choice: "required",
    });
    const final = await helper.finalChatCompletion();
    const rebuilt = final.choices[0]?.message.tool_calls?.[0];
    expect(rebuilt).toMatchObject({ type: "function", function: { name: "get_weather" } });
    expect(rebuilt?.type === "function" && JSON.parse(rebuilt.function.arguments)).toEqual({ city: "Paris" });
    expect(final.choices[0]?.finish_reason).toBe("tool_calls");
  });

  it("round-trips a tool result: assistant tool_calls + tool message → plain answer, sent unchanged", async () => {
    const first = await client.chat.completions.create({
      model: "chat",
      messages: [{ role: "user", content: "Weather in Paris?" }],
      tools: [weatherTool],
      tool_choice: "required",
    });
    const assistant = first.choices[0]!.message;
    const call = assistant.tool_calls![0]!;
    const messages: ChatCompletionMessageParam[] = [
      { role: "user", content: "Weather in Paris?" },
      { role: "assistant", content: null, tool_calls: assistant.tool_calls! },
      { role: "tool", tool_call_id: call.id, content: '{"temperature":21,"unit":"c"}' },
    ];
    const second = await client.chat.completions.create({ model: "chat", messages, tools: [weatherTool] });
    validateOpenAI("CreateChatCompletionResponse", second);
    expect(second.choices[0]?.message.content).toBe(ANSWER_A);
    expect(second.choices[0]?.message.tool_calls).toBeUndefined();
    expect(second.choices[0]?.finish_reason).toBe("stop");
    expect(upstreamBody(1).messages).toEqual(messages);
  });

  it("answers JSON mode with content that parses as JSON", async () => {
    const completion = await client.chat.completions.create({
      model: "chat",
      messages: [{ role: "user", content: "Answer in JSON." }],
      response_format: { type: "json_object" },
    });
    validateOpenAI("CreateChatCompletionResponse", completion);
    expect(JSON.parse(completion.choices[0]!.message.content!)).toEqual({ answer: ANSWER_A });
    expect(upstreamBody().response_format).toEqual({ type: "json_object" });
  });

  it("passes an image part through to the upstream unchanged", async () => {
    const png =
      "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";
    const messages: ChatCompletionMessageParam[] = [
      {
        role: "user",
        content: [
          { type: "text", text: "What is in this image?" },
          { type: "image_url", image_url: { url: png, detail: "low" } },
        ],
      },
    ];
    const completion = await client.chat.completions.create({ model: "chat", messages });
    expect(completion.choices[0]?.message.content).toBe(ANSWER_A);
    expect(upstreamBody().messages).toEqual(messages);
  });

  it("passes n, stop, logprobs and unknown fields through unchanged except model", async () => {
    const params = {
      model: "chat",
      messages: [{ role: "system", content: "Be brief." }, ...hi],
      n: 2,
      stop: ["\n\n", "END"],
      logprobs: true,
      top_logprobs: 2,
      temperature: 0.3,
      seed: 7,
      user: "user-1",
      metadata: { team: "qa" },
      vendor_extension: { nested: [1, { deep: true }], flag: null },
    } as ChatCompletionCreateParamsNonStreaming;
    const completion = await client.chat.completions.create(params);
    validateOpenAI("CreateChatCompletionResponse", completion);
    // Everything but `model` is the client's body, unchanged.
    expect(upstreamBody()).toEqual({ ...params, model: "gpt-4o-mini" });
  });
});

describe("openai SDK → gateway: embeddings and models", () => {
  const input = ["alpha", "beta gamma"];

  it("decodes the default base64 embeddings to the same numbers as a direct call", async () => {
    const viaGateway = await client.embeddings.create({ model: "embed", input });
    validateOpenAI("CreateEmbeddingResponse", viaGateway);
    expect(upstreamBody().encoding_format).toBe("base64");
    const direct = await new OpenAI({
      baseURL: stack.sim.url,
      apiKey: KEYS.a,
      maxRetries: 0,
    }).embeddings.create({ model: "text-embedding-3-small", input });
    expect(viaGateway.data.map((d) => d.embedding)).toEqual(direct.data.map((d) => d.embedding));
    expect(viaGateway.data.map((d) => d.embedding)).toEqual(input.map((text) => embeddingVector(text)));
    expect(viaGateway.data.map((d) => d.index)).toEqual([0, 1]);
    expect(viaGateway.usage.prompt_tokens).toBeGreaterThan(0);
    const [record] = await capture.settle();
    const raw = record?.body as { data: Array<{ embedding: unknown }> };
    expect(typeof raw.data[0]?.embedding).toBe("string");
    expect(record?.validated).toEqual(["CreateEmbeddingResponse"]);
  });

  it("returns float embeddings with encoding_format float", async () => {
    const { data, response } = await client.embeddings
      .create({ model: "embed", input: "alpha", encoding_format: "float" })
      .withResponse();
    validateOpenAI("CreateEmbeddingResponse", data);
    expect(data.data[0]?.embedding).toEqual(embeddingVector("alpha"));
    expect(data.model).toBe("text-embedding-3-small");
    expect(response.headers.get("x-llmux-deployment")).toBe("a/text-embedding-3-small");
    expect(upstreamBody()).toEqual({
      model: "text-embedding-3-small",
      input: "alpha",
      encoding_format: "float",
    });
    const [record] = await capture.settle();
    expect((record?.body as { data: Array<{ embedding: unknown }> }).data[0]?.embedding).toEqual(
      embeddingVector("alpha"),
    );
  });

  it("lists the gateway's model groups", async () => {
    const page = await client.models.list();
    const ids: string[] = [];
    for await (const model of page) {
      validateOpenAI("Model", model);
      ids.push(model.id);
    }
    expect(ids).toEqual(["chat", "limited", "embed"]);
    const [record] = await capture.settle();
    expect(record?.validated).toEqual(["ListModelsResponse"]);
    expect(stack.sim.requests).toHaveLength(0);
  });

  it("retrieves one model group, and 404s an unknown one as NotFoundError", async () => {
    const model = await client.models.retrieve("embed");
    validateOpenAI("Model", model);
    expect(model).toMatchObject({ id: "embed", object: "model" });
    const error: unknown = await client.models.retrieve("nope").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.NotFoundError);
    const records = await capture.settle();
    expect(records.map((r) => [r.status, r.validated])).toEqual([
      [200, ["Model"]],
      [404, ["ErrorResponse"]],
    ]);
  });
});

describe("openai SDK → gateway: errors as SDK error classes", () => {
  it("404 for an unknown model is a NotFoundError", async () => {
    const error: unknown = await client.chat.completions
      .create({ model: "no-such-model", messages: hi })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.NotFoundError);
    const notFound = error as InstanceType<typeof OpenAI.NotFoundError>;
    expect(notFound.status).toBe(404);
    expect(notFound.code).toBe("model_not_found");
    expect(notFound.message).toContain("no-such-model");
    expect(stack.sim.requests).toHaveLength(0);
    const [record] = await capture.settle();
    expect(record?.validated).toEqual(["ErrorResponse"]);
  });

  it("400 for an invalid request is a BadRequestError naming the param", async () => {
    const error: unknown = await client.chat.completions
      .create({ model: "chat", messages: [] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    const bad = error as InstanceType<typeof OpenAI.BadRequestError>;
    expect(bad.status).toBe(400);
    expect(bad.param).toBe("messages");
    expect(bad.type).toBe("invalid_request_error");
    expect(stack.sim.requests).toHaveLength(0);
  });

  it("an upstream 400 reaches the client as a BadRequestError with the upstream's message", async () => {
    stack.sim.addFault({
      kind: "status",
      status: 400,
      body: {
        error: {
          message: "This model's maximum context length is 8 tokens.",
          type: "invalid_request_error",
          param: "messages",
          code: "context_length_exceeded",
        },
      },
    });
    const error: unknown = await client.chat.completions
      .create({ model: "chat", messages: hi })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    const bad = error as InstanceType<typeof OpenAI.BadRequestError>;
    expect(bad.status).toBe(400);
    expect(bad.code).toBe("context_length_exceeded");
    expect(bad.message).toContain("maximum context length");
    expect(stack.sim.requests.map((r) => r.key)).toEqual([KEYS.a]);
  });

  it("429 when every key is rate limited is a RateLimitError with retry-after", async () => {
    const first = await client.chat.completions.create({ model: "limited", messages: hi }).withResponse();
    expect(first.response.headers.get("x-llmux-deployment")).toBe("c/gpt-4o-mini");
    const second = await client.chat.completions.create({ model: "limited", messages: hi }).withResponse();
    expect(second.response.headers.get("x-llmux-deployment")).toBe("d/gpt-4o-mini");
    const error: unknown = await client.chat.completions
      .create({ model: "limited", messages: hi })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    const limited = error as InstanceType<typeof OpenAI.RateLimitError>;
    expect(limited.status).toBe(429);
    expect(limited.code).toBe("rate_limit_exceeded");
    const retryAfter = Number(limited.headers?.get("retry-after"));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    const records = await capture.settle();
    expect(records.map((r) => r.status)).toEqual([200, 200, 429]);
    expect(records.at(-1)?.validated).toEqual(["ErrorResponse"]);
  });
});
