/**
 * LangChain (`@langchain/openai` ChatOpenAI and OpenAIEmbeddings) against a listening gateway over the
 * simulator. The raw HTTP bodies it receives are validated against the OpenAI spec through {@link SpecCapture}.
 */
import type { AIMessageChunk, UsageMetadata } from "@langchain/core/messages";
import { ChatOpenAI, OpenAIEmbeddings } from "@langchain/openai";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { embeddingVector } from "../../src/sim/index.js";
import { SpecCapture } from "./spec-capture.js";
import { CLIENT_KEY, startStack, type Stack } from "./stack.js";

let stack: Stack;
const capture = new SpecCapture();

beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack.close();
});
afterEach(async () => {
  stack.reset();
  await capture.verifyAndClear();
});

const ANSWER_A = "Hello from gpt-4o-mini via key a001.";

function chatModel(): ChatOpenAI {
  return new ChatOpenAI({
    model: "chat",
    apiKey: CLIENT_KEY,
    maxRetries: 0,
    configuration: { baseURL: stack.baseURL, fetch: capture.fetch },
  });
}

function upstreamBody(index = 0): Record<string, unknown> {
  const record = stack.sim.requests[index];
  expect(record, `upstream request #${index}`).toBeDefined();
  return record!.body as Record<string, unknown>;
}

describe("LangChain ChatOpenAI → gateway", () => {
  it("invoke returns the answer with token usage", async () => {
    const message = await chatModel().invoke("hi");
    expect(message.content).toBe(ANSWER_A);
    // @langchain/core 1.4's inferred message types resolve `usage_metadata` to `undefined` under TS 6.
    const usage = message.usage_metadata as UsageMetadata | undefined;
    expect(usage?.output_tokens).toBe(5);
    expect(usage?.input_tokens).toBeGreaterThan(0);
    expect(usage?.total_tokens).toBe((usage?.input_tokens ?? 0) + 5);
    expect(message.response_metadata).toMatchObject({ finish_reason: "stop" });
    expect(upstreamBody()).toMatchObject({ model: "gpt-4o-mini", stream: false });
    const [record] = await capture.settle();
    expect(record?.validated).toEqual(["CreateChatCompletionResponse"]);
  });

  it("stream yields the answer in chunks and the usage from the include_usage chunk", async () => {
    const chunks: AIMessageChunk[] = [];
    for await (const chunk of await chatModel().stream("hi")) chunks.push(chunk);
    expect(chunks.map((c) => c.content).join("")).toBe(ANSWER_A);
    const merged = chunks.reduce((all, chunk) => all.concat(chunk));
    expect((merged.usage_metadata as UsageMetadata | undefined)?.output_tokens).toBe(5);
    expect(upstreamBody()).toMatchObject({ stream: true, stream_options: { include_usage: true } });
    const [record] = await capture.settle();
    expect(record?.done).toBe(true);
    expect(record?.events.at(-1)).toMatchObject({ choices: [], usage: { completion_tokens: 5 } });
    expect(record?.validated.length).toBe(record?.events.length);
  });

  it("bindTools with tool_choice required returns a parsed tool call", async () => {
    const model = chatModel().bindTools(
      [
        {
          type: "function",
          function: {
            name: "get_weather",
            description: "Current weather in a city",
            parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
          },
        },
      ],
      { tool_choice: "required" },
    );
    const message = await model.invoke("What is the weather in Paris?");
    expect(message.tool_calls).toHaveLength(1);
    expect(message.tool_calls?.[0]).toMatchObject({ name: "get_weather", args: { city: "Paris" } });
    expect(message.tool_calls?.[0]?.id).toMatch(/^call_/);
    expect(message.response_metadata).toMatchObject({ finish_reason: "tool_calls" });
    expect(upstreamBody()).toMatchObject({
      tool_choice: "required",
      tools: [{ type: "function", function: { name: "get_weather" } }],
    });
  });
});

describe("LangChain OpenAIEmbeddings → gateway", () => {
  it("decodes the default base64 embeddings to the right vectors", async () => {
    const embeddings = new OpenAIEmbeddings({
      model: "embed",
      apiKey: CLIENT_KEY,
      maxRetries: 0,
      configuration: { baseURL: stack.baseURL, fetch: capture.fetch },
    });
    const documents = await embeddings.embedDocuments(["alpha", "beta gamma"]);
    expect(documents).toEqual([embeddingVector("alpha"), embeddingVector("beta gamma")]);
    const query = await embeddings.embedQuery("alpha");
    expect(query).toEqual(embeddingVector("alpha"));
    expect(stack.sim.requests.map((r) => (r.body as Record<string, unknown>)["encoding_format"])).toEqual([
      "base64",
      "base64",
    ]);
    const records = await capture.settle();
    expect(records.map((r) => r.validated)).toEqual([
      ["CreateEmbeddingResponse"],
      ["CreateEmbeddingResponse"],
    ]);
  });
});
