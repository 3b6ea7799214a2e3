/**
 * The Vercel AI SDK (`ai` + `@ai-sdk/openai-compatible`) against a listening gateway over the simulator.
 * The raw HTTP bodies it receives are validated against the OpenAI spec through {@link SpecCapture}.
 */
import { createOpenAICompatible, type OpenAICompatibleProvider } from "@ai-sdk/openai-compatible";
import { generateText, jsonSchema, streamText, tool } from "ai";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { SpecCapture } from "./spec-capture.js";
import { CLIENT_KEY, startStack, type Stack } from "./stack.js";

let stack: Stack;
let llmux: OpenAICompatibleProvider;
const capture = new SpecCapture();

beforeAll(async () => {
  stack = await startStack();
  llmux = createOpenAICompatible({
    name: "llmux",
    baseURL: stack.baseURL,
    apiKey: CLIENT_KEY,
    includeUsage: true,
    fetch: capture.fetch,
  });
});
afterAll(async () => {
  await stack.close();
});
afterEach(async () => {
  stack.reset();
  await capture.verifyAndClear();
});

const ANSWER_A = "Hello from gpt-4o-mini via key a001.";

function upstreamBody(index = 0): Record<string, unknown> {
  const record = stack.sim.requests[index];
  expect(record, `upstream request #${index}`).toBeDefined();
  return record!.body as Record<string, unknown>;
}

describe("AI SDK (openai-compatible provider) → gateway", () => {
  it("generateText returns the text, finish reason and usage", async () => {
    const result = await generateText({ model: llmux("chat"), prompt: "hi", maxRetries: 0 });
    expect(result.text).toBe(ANSWER_A);
    expect(result.finishReason).toBe("stop");
    expect(result.usage.outputTokens).toBe(5);
    expect(result.usage.inputTokens).toBeGreaterThan(0);
    expect(result.usage.totalTokens).toBe(result.usage.inputTokens! + 5);
    expect(upstreamBody()).toMatchObject({
      model: "gpt-4o-mini",
      messages: [{ role: "user", content: "hi" }],
    });
    const records = await capture.settle();
    expect(records.map((r) => [r.path, r.status, r.validated])).toEqual([
      ["/v1/chat/completions", 200, ["CreateChatCompletionResponse"]],
    ]);
  });

  it("streamText streams the text and reports usage (include_usage sent)", async () => {
    const result = streamText({ model: llmux("chat"), prompt: "hi", maxRetries: 0 });
    const parts: string[] = [];
    for await (const part of result.textStream) parts.push(part);
    expect(parts.join("")).toBe(ANSWER_A);
    expect(parts.length).toBeGreaterThan(1);
    expect(await result.finishReason).toBe("stop");
    const usage = await result.usage;
    expect(usage.outputTokens).toBe(5);
    expect(usage.inputTokens).toBeGreaterThan(0);
    expect(upstreamBody()).toMatchObject({ stream: true, stream_options: { include_usage: true } });
    const [record] = await capture.settle();
    expect(record?.kind).toBe("sse");
    expect(record?.done).toBe(true);
    expect(record?.events.at(-1)).toMatchObject({ choices: [], usage: { completion_tokens: 5 } });
    expect(record?.validated.length).toBe(record?.events.length);
  });

  it("generateText with a zod tool returns the tool call and its parsed input", async () => {
    const result = await generateText({
      model: llmux("chat"),
      prompt: "What is the weather in Paris?",
      tools: {
        getWeather: tool({
          description: "Current weather in a city",
          inputSchema: z.object({ city: z.string(), unit: z.enum(["c", "f"]).optional() }),
        }),
      },
      toolChoice: "required",
      maxRetries: 0,
    });
    expect(result.finishReason).toBe("tool-calls");
    expect(result.toolCalls).toHaveLength(1);
    expect(result.toolCalls[0]).toMatchObject({ toolName: "getWeather", input: { city: "Paris" } });
    expect(result.toolCalls[0]?.toolCallId).toMatch(/^call_/);
    const sent = upstreamBody();
    expect(sent.tool_choice).toBe("required");
    expect(sent.tools).toMatchObject([{ type: "function", function: { name: "getWeather" } }]);
    const [record] = await capture.settle();
    expect(record?.validated).toEqual(["CreateChatCompletionResponse"]);
  });

  it("streamText with a jsonSchema tool streams the tool call, and a tool result round-trips", async () => {
    const weather = tool({
      description: "Current weather in a city",
      inputSchema: jsonSchema<{ city: string }>({
        type: "object",
        properties: { city: { type: "string" } },
        required: ["city"],
      }),
      execute: async ({ city }) => ({ city, temperature: 21 }),
    });
    const result = streamText({
      model: llmux("chat"),
      prompt: "What is the weather in Paris?",
      tools: { getWeather: weather },
      toolChoice: { type: "tool", toolName: "getWeather" },
      maxRetries: 0,
    });
    const toolCalls = await result.toolCalls;
    expect(toolCalls).toMatchObject([{ toolName: "getWeather", input: { city: "Paris" } }]);
    const toolResults = await result.toolResults;
    expect(toolResults).toMatchObject([
      { toolName: "getWeather", output: { city: "Paris", temperature: 21 } },
    ]);
    expect(upstreamBody().tool_choice).toEqual({ type: "function", function: { name: "getWeather" } });

    const followUp = await generateText({
      model: llmux("chat"),
      messages: [
        { role: "user", content: "What is the weather in Paris?" },
        ...(await result.response).messages,
      ],
      tools: { getWeather: weather },
      maxRetries: 0,
    });
    expect(followUp.text).toBe(ANSWER_A);
    const messages = upstreamBody(1).messages as Array<Record<string, unknown>>;
    expect(messages.map((m) => m["role"])).toEqual(["user", "assistant", "tool"]);
    expect(messages[1]).toMatchObject({
      tool_calls: [{ id: toolCalls[0]?.toolCallId, type: "function", function: { name: "getWeather" } }],
    });
    expect(messages[2]).toMatchObject({ tool_call_id: toolCalls[0]?.toolCallId });
    const records = await capture.settle();
    expect(records.map((r) => r.kind)).toEqual(["sse", "json"]);
  });
});
