import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSimulator, type Simulator } from "../../src/sim/index.js";
import { gatewayFor, provider, spec } from "../helpers/gateway.js";
import { validateOpenAI } from "../helpers/openai-spec.js";
import { validateAnthropic } from "../providers/anthropic/anthropic-spec.js";
import { validateGeminiRequest } from "../providers/gemini/gemini-spec.js";

let sim: Simulator;
let gateway: ReturnType<typeof gatewayFor>;
let client: OpenAI;

beforeAll(async () => {
  sim = await startSimulator({
    keys: { "oa-key-0001": {}, "an-key-0002": {}, "ge-key-0003": {} },
    requireKnownKeys: true,
  });
  gateway = gatewayFor(
    [
      provider("openai-1", sim.url, "oa-key-0001"),
      { ...provider("anthropic-1", sim.origin, "an-key-0002"), type: "anthropic" },
      { ...provider("gemini-1", sim.origin, "ge-key-0003"), type: "gemini" },
    ],
    [
      {
        name: "smart",
        strategy: "priority",
        automatic: false,
        deployments: [
          spec("openai-1", "gpt-4.1"),
          spec("anthropic-1", "claude-sonnet-4-0", { tier: 1 }),
          spec("gemini-1", "gemini-2.5-flash", { tier: 2 }),
        ],
      },
    ],
  );
  await gateway.app.listen({ port: 0, host: "127.0.0.1" });
  const address = gateway.app.server.address();
  client = new OpenAI({
    baseURL: `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}/v1`,
    apiKey: "x",
    maxRetries: 0,
  });
});
afterAll(async () => {
  await gateway.close();
  await sim.close();
});

const tools: OpenAI.ChatCompletionTool[] = [
  {
    type: "function",
    function: {
      name: "get_weather",
      description: "Current weather in a city",
      parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
    },
  },
];

describe("a tool-calling conversation crosses providers when the primary is rate limited", () => {
  it("OpenAI-compatible → Anthropic → Gemini, with tool calls, results and usage intact", async () => {
    const history: OpenAI.ChatCompletionMessageParam[] = [
      { role: "system", content: "You are a weather assistant." },
      { role: "user", content: "What is the weather in Paris? Please call a tool." },
    ];

    // Turn 1 on the primary (OpenAI-compatible): a tool call.
    const first = await client.chat.completions
      .create({ model: "smart", messages: history, tools, tool_choice: "required" })
      .withResponse();
    validateOpenAI("CreateChatCompletionResponse", first.data);
    expect(first.response.headers.get("x-llmux-deployment")).toBe("openai-1/gpt-4.1");
    const call = first.data.choices[0]?.message.tool_calls?.[0] as
      OpenAI.ChatCompletionMessageFunctionToolCall | undefined;
    expect(call).toMatchObject({ type: "function", function: { name: "get_weather" } });
    history.push(first.data.choices[0]!.message as OpenAI.ChatCompletionMessageParam);
    history.push({ role: "tool", tool_call_id: call!.id, content: '{"temperature_c": 18, "sky": "clear"}' });

    // The primary is now rate limited: turn 2 continues on Anthropic.
    sim.addFault({ kind: "status", key: "oa-key-0001", status: 429, headers: { "retry-after": "120" } });
    const second = await client.chat.completions
      .create({ model: "smart", messages: history, tools })
      .withResponse();
    validateOpenAI("CreateChatCompletionResponse", second.data);
    expect(second.response.headers.get("x-llmux-deployment")).toBe("anthropic-1/claude-sonnet-4-0");
    expect(second.response.headers.get("x-llmux-attempts")).toBe("2");
    expect(second.data.usage?.prompt_tokens).toBeGreaterThan(0);
    const anthropicRequest = sim.requests.filter((r) => r.wire === "anthropic").at(-1)!;
    validateAnthropic("CreateMessageParams", anthropicRequest.body);
    const sent = anthropicRequest.body as {
      system: unknown;
      messages: Array<{ role: string; content: unknown }>;
      tools: unknown[];
    };
    expect(sent.system).toBe("You are a weather assistant.");
    expect(sent.tools).toHaveLength(1);
    expect(sent.messages[1]).toEqual({
      role: "assistant",
      content: [
        { type: "tool_use", id: call!.id, name: "get_weather", input: JSON.parse(call!.function.arguments) },
      ],
    });
    expect(sent.messages[2]).toEqual({
      role: "user",
      content: [
        { type: "tool_result", tool_use_id: call!.id, content: '{"temperature_c": 18, "sky": "clear"}' },
      ],
    });
    history.push(second.data.choices[0]!.message as OpenAI.ChatCompletionMessageParam);
    history.push({ role: "user", content: "And in London? Please call a tool." });

    // Anthropic is overloaded too: turn 3 continues on Gemini, streaming, and asks for usage.
    sim.addFault({ kind: "status", key: "an-key-0002", status: 529 });
    const stream = await client.chat.completions.create({
      model: "smart",
      messages: history,
      tools,
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks: OpenAI.ChatCompletionChunk[] = [];
    for await (const chunk of stream) {
      validateOpenAI("CreateChatCompletionStreamResponse", chunk);
      chunks.push(chunk);
    }
    const geminiRequest = sim.requests.filter((r) => r.wire === "gemini").at(-1)!;
    validateGeminiRequest(geminiRequest.body);
    const contents = (
      geminiRequest.body as { contents: Array<{ role: string; parts: Array<Record<string, unknown>> }> }
    ).contents;
    expect(contents.map((c) => c.role)).toEqual(["user", "model", "user", "model", "user"]);
    expect(contents[1]?.parts[0]).toMatchObject({
      functionCall: { name: "get_weather", args: JSON.parse(call!.function.arguments) },
    });
    expect(contents[2]?.parts[0]).toMatchObject({
      functionResponse: { name: "get_weather", response: { temperature_c: 18, sky: "clear" } },
    });
    const toolDelta = chunks.flatMap((c) => c.choices[0]?.delta.tool_calls ?? [])[0];
    expect(toolDelta).toMatchObject({ index: 0, type: "function", function: { name: "get_weather" } });
    expect(chunks.find((c) => c.choices[0]?.finish_reason)?.choices[0]?.finish_reason).toBe("tool_calls");
    expect(chunks.at(-1)?.usage?.total_tokens).toBeGreaterThan(0);

    // Turn 4 answers Gemini's call: the minted id carries the thought signature back to Gemini.
    history.push({
      role: "assistant",
      content: null,
      tool_calls: [
        {
          id: toolDelta!.id!,
          type: "function",
          function: { name: "get_weather", arguments: toolDelta!.function!.arguments! },
        },
      ],
    });
    history.push({ role: "tool", tool_call_id: toolDelta!.id!, content: "rainy, 12 C" });
    const last = await client.chat.completions.create({ model: "smart", messages: history, tools });
    validateOpenAI("CreateChatCompletionResponse", last);
    const replay = sim.requests.filter((r) => r.wire === "gemini").at(-1)!;
    const replayed = (replay.body as { contents: Array<{ parts: Array<Record<string, unknown>> }> }).contents;
    const callPart = replayed
      .flatMap((c) => c.parts)
      .filter((p) => "functionCall" in p)
      .at(-1);
    expect(typeof callPart?.["thoughtSignature"]).toBe("string");
    expect(replayed.flatMap((c) => c.parts).at(-1)).toMatchObject({
      functionResponse: { name: "get_weather", response: { result: "rainy, 12 C" } },
    });
  });
});
