/**
 * `POST /v1/responses` through the real `openai` SDK (`responses.create`, stream and not) against
 * the gateway and the simulator: a Codex-shaped turn (function and custom tools, function_call /
 * function_call_output input items, reasoning, `store: false`, `include`) translated to a chat
 * upstream, answers and events validated against the OpenAI spec, errors in the OpenAI shape,
 * `previous_response_id` over stored responses.
 */
import OpenAI from "openai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { validateOpenAI } from "../helpers/openai-spec.js";
import { validateResponsesRequest } from "../helpers/responses-spec.js";
import type { ParsedEvent } from "../helpers/sse-events.js";
import { validateAnthropic } from "../providers/anthropic/anthropic-spec.js";
import { checkOrder, finalResponse } from "../providers/responses/responses-events.js";
import { GATEWAY_KEY, KEYS, startAgentStack, type AgentStack } from "./stack.js";

type Json = Record<string, unknown>;

let stack: AgentStack;
let client: OpenAI;

beforeAll(async () => {
  stack = await startAgentStack();
  client = new OpenAI({ apiKey: GATEWAY_KEY, baseURL: stack.baseURL, maxRetries: 0 });
});
afterAll(async () => stack.close());
beforeEach(() => stack.reset());

const shell = {
  type: "function" as const,
  name: "shell",
  description: "Runs a shell command.",
  strict: false,
  parameters: {
    type: "object",
    properties: { command: { type: "string" } },
    required: ["command"],
    additionalProperties: false,
  },
};

const applyPatch = {
  type: "custom" as const,
  name: "apply_patch",
  description: "Applies a patch.",
  format: { type: "text" as const },
};

/** A Codex-like request body: instructions, developer and user messages, tools, reasoning, no storage. */
function codexBody(input: Json[], stream: boolean): Json {
  return {
    model: "gpt-5-codex",
    instructions: "You are a coding agent.",
    input: [
      { type: "message", role: "developer", content: [{ type: "input_text", text: "Sandbox: none." }] },
      ...input,
    ],
    tools: [shell, applyPatch, { type: "web_search" }],
    tool_choice: "auto",
    parallel_tool_calls: false,
    reasoning: { effort: "medium", summary: "auto" },
    store: false,
    stream,
    include: ["reasoning.encrypted_content"],
    prompt_cache_key: "session-1",
  };
}

const ask = { type: "message", role: "user", content: [{ type: "input_text", text: "Please call a tool." }] };

async function events(body: Json): Promise<ParsedEvent[]> {
  const stream = (await client.responses.create(body as never)) as unknown as AsyncIterable<Json>;
  const out: ParsedEvent[] = [];
  for await (const event of stream) {
    validateOpenAI("ResponseStreamEvent", event);
    out.push({ event: String(event["type"]), data: event });
  }
  return out;
}

describe("Codex turns translated to a chat upstream", () => {
  it("streams a function call, then answers the function_call_output", async () => {
    const first = codexBody([ask], true);
    validateResponsesRequest(first);
    const streamed = await events(first);
    const types = checkOrder(streamed);
    expect(types).toContain("response.function_call_arguments.delta");
    expect(types).toContain("response.function_call_arguments.done");
    const response = finalResponse(streamed);
    expect(response["status"]).toBe("completed");
    const [call] = response["output"] as Json[];
    expect(call).toMatchObject({ type: "function_call", name: "shell", arguments: '{"command":"Paris"}' });
    expect((response["usage"] as Json)["output_tokens"]).toBeGreaterThan(0);
    const sent = stack.proxy.bodies[0] as Json;
    validateOpenAI("CreateChatCompletionRequest", sent);
    expect(sent["messages"]).toEqual([
      { role: "system", content: "You are a coding agent." },
      // Developer messages become system messages (not every chat vendor takes `developer`).
      { role: "system", content: "Sandbox: none." },
      { role: "user", content: "Please call a tool." },
    ]);
    expect((sent["tools"] as Json[]).map((tool) => (tool["function"] as Json)["name"])).toEqual([
      "shell",
      "apply_patch",
    ]);
    expect(sent).toMatchObject({ parallel_tool_calls: false, stream: true });
    // Hints only OpenAI, Azure and OpenRouter take are not sent to an "openai-compatible" vendor.
    expect(sent["prompt_cache_key"]).toBeUndefined();
    // `reasoning.effort` goes upstream only to reasoning models (sim-chat is not one).
    expect(sent["reasoning_effort"]).toBeUndefined();
    expect(sent["store"]).toBeUndefined();

    const callId = String(call!["call_id"]);
    const second = codexBody(
      [
        ask,
        { type: "function_call", call_id: callId, name: "shell", arguments: '{"command":"Paris"}' },
        { type: "function_call_output", call_id: callId, output: "LLMUX-OUTPUT-1" },
      ],
      false,
    );
    validateResponsesRequest(second);
    const answer = await client.responses.create(second as never);
    validateOpenAI("Response", answer);
    expect((answer as unknown as Json)["output_text"]).toBe("Hello from sim-chat via key oa01.");
    const sentAgain = stack.proxy.bodies[1] as Json;
    expect((sentAgain["messages"] as Json[]).slice(-2)).toEqual([
      {
        role: "assistant",
        content: null,
        tool_calls: [
          { id: callId, type: "function", function: { name: "shell", arguments: '{"command":"Paris"}' } },
        ],
      },
      { role: "tool", tool_call_id: callId, content: "LLMUX-OUTPUT-1" },
    ]);
  });

  it("sends reasoning.effort as reasoning_effort to a reasoning model", async () => {
    const answer = await client.responses.create({
      model: "codex-reasoning",
      input: "Hello",
      reasoning: { effort: "high" },
      store: false,
    });
    expect(answer.output_text).toBe("Hello from o4-mini via key oa01.");
    expect(stack.proxy.bodies[0]).toMatchObject({ model: "o4-mini", reasoning_effort: "high" });
  });

  it("reaches an Anthropic upstream through chat, the Messages request valid by the Anthropic spec", async () => {
    const body = codexBody(
      [
        ask,
        { type: "function_call", call_id: "call_1", name: "shell", arguments: '{"command":"ls"}' },
        { type: "function_call_output", call_id: "call_1", output: "a.txt" },
      ],
      true,
    );
    const streamed = await events({ ...body, model: "claude-pass" });
    checkOrder(streamed);
    expect(finalResponse(streamed)["output"]).toEqual([
      expect.objectContaining({
        type: "message",
        content: [expect.objectContaining({ text: "Hello from claude-sim via key an01." })],
      }),
    ]);
    const sent = stack.sim.requests[0]!;
    expect(sent).toMatchObject({ wire: "anthropic", key: KEYS.an1 });
    validateAnthropic("CreateMessageParams", sent.body);
    const messages = (sent.body as Json)["messages"] as Json[];
    expect(messages.at(-1)).toEqual({
      role: "user",
      content: [{ type: "tool_result", tool_use_id: "call_1", content: "a.txt" }],
    });
  });

  it("fails over from a 429 key and says so in the headers", async () => {
    stack.sim.addFault({ kind: "status", status: 429, key: KEYS.oa, times: 1 });
    const { data, response } = await client.responses
      .create({ model: "codex", input: "Hello", store: false })
      .withResponse();
    expect(response.headers.get("x-llmux-deployment")).toBe("ob/sim-chat");
    expect(response.headers.get("x-llmux-attempts")).toBe("2");
    expect(data.output_text).toBe("Hello from sim-chat via key ob02.");
  });

  it("continues a stored response by previous_response_id, and refuses an unknown one", async () => {
    const first = await client.responses.create({ model: "codex", input: "Remember me.", store: true });
    const second = await client.responses.create({
      model: "codex",
      input: "And now?",
      previous_response_id: first.id,
    });
    expect(second.previous_response_id).toBe(first.id);
    const sent = stack.proxy.bodies[1] as Json;
    expect(sent["messages"]).toEqual([
      { role: "user", content: "Remember me." },
      { role: "assistant", content: "Hello from sim-chat via key oa01." },
      { role: "user", content: "And now?" },
    ]);
    const error = await client.responses
      .create({ model: "codex", input: "Hi", previous_response_id: "resp_unknown" })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as InstanceType<typeof OpenAI.APIError>).error).toMatchObject({
      type: "invalid_request_error",
      param: "previous_response_id",
    });
  });

  it("answers errors in the OpenAI shape: unknown model 404, bad key 401, bad body 400", async () => {
    const unknown = await client.responses
      .create({ model: "nope", input: "Hi" })
      .catch((caught: unknown) => caught);
    expect(unknown).toBeInstanceOf(OpenAI.NotFoundError);
    expect((unknown as InstanceType<typeof OpenAI.APIError>).error).toMatchObject({
      code: "model_not_found",
    });
    const wrong = new OpenAI({ apiKey: "sk-wrong", baseURL: stack.baseURL, maxRetries: 0 });
    await expect(wrong.responses.create({ model: "codex", input: "Hi" })).rejects.toBeInstanceOf(
      OpenAI.AuthenticationError,
    );
    const bad = await fetch(`${stack.baseURL}/responses`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${GATEWAY_KEY}` },
      body: JSON.stringify({ model: "codex" }),
    });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { type: "invalid_request_error", param: "input" } });
    expect(stack.sim.requests).toHaveLength(0);
  });

  it("ends a stream broken after the commit point with response.failed", async () => {
    stack.sim.addFault({ kind: "stream-error", key: KEYS.oa, afterChunks: 2, times: 1 });
    const streamed = await events({ model: "codex", input: "Hello", stream: true, store: false });
    const types = streamed.map((event) => event.event);
    expect(types.slice(0, 2)).toEqual(["response.created", "response.in_progress"]);
    expect(types).toContain("response.output_text.delta");
    expect(types.at(-1)).toBe("response.failed");
    expect(types).not.toContain("response.completed");
    const response = streamed.at(-1)!.data["response"] as Json;
    expect(response["status"]).toBe("failed");
    expect(response["error"]).toMatchObject({ code: expect.any(String), message: expect.any(String) });
  });
});
