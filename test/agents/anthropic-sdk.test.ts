/**
 * `/v1/messages`, `/v1/messages/count_tokens` and the Anthropic-shaped `/v1/models` through the
 * real `@anthropic-ai/sdk`, against the gateway and the simulator: translated to an
 * OpenAI-compatible upstream and passed through to an Anthropic one (with a failover), errors in
 * Anthropic's shape, payloads validated against the Anthropic spec.
 */
import Anthropic from "@anthropic-ai/sdk";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { parseSse, type ParsedEvent } from "../helpers/sse-events.js";
import { checkOrder, finalMessage } from "../providers/anthropic-inbound/anthropic-events.js";
import { validateAnthropic } from "../providers/anthropic/anthropic-spec.js";
import { validateOpenAI } from "../helpers/openai-spec.js";
import { GATEWAY_KEY, KEYS, startAgentStack, type AgentStack } from "./stack.js";

type Json = Record<string, unknown>;

let stack: AgentStack;
let client: Anthropic;

beforeAll(async () => {
  stack = await startAgentStack();
  client = new Anthropic({ apiKey: GATEWAY_KEY, baseURL: stack.origin, maxRetries: 0 });
});
afterAll(async () => stack.close());
beforeEach(() => stack.reset());

const weather: Anthropic.Tool = {
  name: "get_weather",
  description: "The weather of a city.",
  input_schema: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
};

/** The events of an SDK stream (the SDK skips `ping`). */
async function collect(stream: AsyncIterable<Anthropic.RawMessageStreamEvent>): Promise<Json[]> {
  const events: Json[] = [];
  for await (const event of stream) events.push(event as unknown as Json);
  return events;
}

/**
 * The raw SSE events of a streamed `/v1/messages` request, each validated against the spec's
 * MessageStreamEvent (`validate`: translated streams; a passed-through stream is the upstream's),
 * the `event:` name equal to the payload's `type`.
 */
async function streamEvents(body: Json, validate = true): Promise<ParsedEvent[]> {
  const response = await post("/v1/messages", { ...body, stream: true });
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toMatch(/^text\/event-stream/);
  const events = parseSse(await response.text());
  for (const event of events) {
    expect(event.event).toBe(event.data["type"]);
    if (validate && event.event !== "error") validateAnthropic("MessageStreamEvent", event.data);
  }
  return events;
}

async function post(path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${stack.origin}${path}`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-api-key": GATEWAY_KEY,
      "anthropic-version": "2023-06-01",
      ...headers,
    },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

describe("translated to an OpenAI-compatible upstream", () => {
  it("answers messages.create with a Message (alias resolved, system and stop sequences mapped)", async () => {
    const message = await client.messages.create({
      model: "claude-sonnet-4-5",
      max_tokens: 64,
      system: [{ type: "text", text: "Be brief.", cache_control: { type: "ephemeral" } }],
      stop_sequences: ["STOP"],
      // Not in this SDK's types any more; the API and the gateway still take it.
      ...({ temperature: 0.2 } as object),
      messages: [{ role: "user", content: "Hello" }],
    });
    validateAnthropic("Message", message);
    expect(message.model).toBe("claude-sonnet-4-5");
    expect(message.content).toEqual([
      { type: "text", text: "Hello from sim-chat via key oa01.", citations: null },
    ]);
    expect(message.stop_reason).toBe("end_turn");
    expect(message.usage.output_tokens).toBe(5);
    const sent = stack.proxy.bodies[0] as Json;
    validateOpenAI("CreateChatCompletionRequest", sent);
    expect(sent["messages"]).toEqual([
      { role: "system", content: "Be brief." },
      { role: "user", content: "Hello" },
    ]);
    expect(sent).toMatchObject({ model: "sim-chat", max_tokens: 64, stop: ["STOP"], temperature: 0.2 });
  });

  it("streams a tool call as the exact Messages event sequence, then takes the tool result", async () => {
    const first = await streamEvents({
      model: "claude-translated",
      max_tokens: 64,
      tools: [weather],
      messages: [{ role: "user", content: "Please call a tool." }],
    });
    const types = checkOrder(first);
    expect(types).toContain("content_block_start");
    const message = finalMessage(first);
    const [block] = message["content"] as Json[];
    expect(block).toMatchObject({ type: "tool_use", name: "get_weather", input: { city: "Paris" } });
    expect(message["stop_reason"]).toBe("tool_use");
    expect((message["usage"] as Json)["input_tokens"]).toBeGreaterThan(0);
    const toolUseId = String(block!["id"]);

    const second = await client.messages.create({
      model: "claude-translated",
      max_tokens: 64,
      tools: [weather],
      messages: [
        { role: "user", content: "Please call a tool." },
        {
          role: "assistant",
          content: [{ type: "tool_use", id: toolUseId, name: "get_weather", input: { city: "Paris" } }],
        },
        {
          role: "user",
          content: [
            { type: "tool_result", tool_use_id: toolUseId, content: "Sunny, 21 °C", is_error: false },
          ],
        },
      ],
    });
    expect(second.content).toEqual([
      { type: "text", text: "Hello from sim-chat via key oa01.", citations: null },
    ]);
    const sent = stack.proxy.bodies[1] as Json;
    validateOpenAI("CreateChatCompletionRequest", sent);
    expect((sent["messages"] as Json[]).slice(-2)).toEqual([
      {
        role: "assistant",
        content: null,
        tool_calls: [
          {
            id: toolUseId,
            type: "function",
            function: { name: "get_weather", arguments: '{"city":"Paris"}' },
          },
        ],
      },
      { role: "tool", tool_call_id: toolUseId, content: "Sunny, 21 °C" },
    ]);
  });

  it("ends a stream broken after the commit point with an in-band error event", async () => {
    stack.sim.addFault({ kind: "stream-error", key: KEYS.oa, afterChunks: 2, times: 1 });
    const response = await post("/v1/messages", {
      model: "claude-translated",
      max_tokens: 64,
      stream: true,
      messages: [{ role: "user", content: "Hello" }],
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const events = parseSse(await response.text());
    const last = events.at(-1)!;
    expect(last.event).toBe("error");
    // The upstream's OpenAI `server_error` becomes an Anthropic type Claude Code retries on.
    expect(last.data).toMatchObject({ type: "error", error: { type: "overloaded_error" } });
    validateAnthropic("ErrorResponse", { ...last.data, request_id: null });
    expect(events.map((event) => event.event)).not.toContain("message_stop");
  });
});

describe("translated to a Gemini upstream", () => {
  it("answers a tool turn, streamed and not", async () => {
    const events = await streamEvents({
      model: "claude-gemini",
      max_tokens: 64,
      tools: [weather],
      messages: [{ role: "user", content: "Please call a tool." }],
    });
    checkOrder(events);
    const message = finalMessage(events);
    const [block] = message["content"] as Json[];
    expect(block).toMatchObject({ type: "tool_use", name: "get_weather", input: { city: "Paris" } });
    expect(message["stop_reason"]).toBe("tool_use");
    expect(stack.sim.requests[0]).toMatchObject({ wire: "gemini", key: KEYS.gm });
    const answer = await client.messages.create({
      model: "claude-gemini",
      max_tokens: 64,
      tools: [weather],
      messages: [
        { role: "user", content: "Please call a tool." },
        { role: "assistant", content: [block as unknown as Anthropic.ToolUseBlockParam] },
        {
          role: "user",
          content: [
            { type: "tool_result", tool_use_id: String(block!["id"]), content: "Sunny", is_error: false },
          ],
        },
      ],
    });
    validateAnthropic("Message", answer);
    expect(answer.content).toEqual([
      { type: "text", text: "Hello from gemini-sim via key gm01.", citations: null },
    ]);
    const contents = (stack.sim.requests[1]!.body as Json)["contents"] as Json[];
    expect(JSON.stringify(contents.at(-1))).toContain("functionResponse");
  });
});

describe("passed through to an Anthropic upstream", () => {
  it("relays an upstream's mid-stream error event as an in-band error with its type and text", async () => {
    stack.sim.addFault({ kind: "stream-error", key: KEYS.an1, afterChunks: 2, times: 1 });
    const events = await streamEvents(
      { model: "claude-pass", max_tokens: 64, messages: [{ role: "user", content: "Hello" }] },
      false,
    );
    const types = events.map((event) => event.event);
    expect(types[0]).toBe("message_start");
    expect(types).toContain("content_block_delta");
    expect(types).not.toContain("message_stop");
    const last = events.at(-1)!;
    expect(last.event).toBe("error");
    expect(last.data).toMatchObject({ type: "error", error: { type: "overloaded_error" } });
    expect(types.filter((type) => type === "error")).toHaveLength(1);
  });

  it("forwards the body unchanged but for model, and fails over from a 429 key", async () => {
    stack.sim.addFault({ kind: "status", status: 429, key: KEYS.an1, times: 1 });
    const body = {
      model: "claude-opus-4-8",
      max_tokens: 64,
      system: [{ type: "text", text: "Be brief.", cache_control: { type: "ephemeral" } }],
      messages: [
        { role: "user", content: [{ type: "text", text: "Hello", cache_control: { type: "ephemeral" } }] },
        {
          role: "assistant",
          content: [
            { type: "thinking", thinking: "Let me think.", signature: "c2lnbmF0dXJl" },
            { type: "text", text: "Hi." },
          ],
        },
        { role: "user", content: "And now?" },
      ],
      metadata: { user_id: "u-1" },
      some_future_field: { kept: true },
    };
    const response = await post("/v1/messages", body, { "anthropic-beta": "context-1m-2025-08-07" });
    expect(response.status).toBe(200);
    expect(response.headers.get("x-llmux-deployment")).toBe("an2/claude-sim");
    expect(response.headers.get("x-llmux-attempts")).toBe("2");
    const message = (await response.json()) as Json;
    expect(message["content"]).toEqual([{ type: "text", text: "Hello from claude-sim via key an02." }]);
    const [refused, served] = stack.sim.requests;
    expect(refused).toMatchObject({ key: KEYS.an1, status: 429 });
    expect(served).toMatchObject({ key: KEYS.an2, status: 200, path: "/v1/messages" });
    expect(served!.body).toEqual({ ...body, model: "claude-sim" });
    expect(served!.headers["anthropic-version"]).toBe("2023-06-01");
    expect(served!.headers["anthropic-beta"]).toBe("context-1m-2025-08-07");
    expect(served!.headers["x-api-key"]).toBe(KEYS.an2);
  });

  it("streams the upstream's own events", async () => {
    const body = {
      model: "claude-pass",
      max_tokens: 64,
      tools: [weather],
      messages: [{ role: "user" as const, content: "Please call a tool." }],
    };
    const events = await streamEvents(body, false);
    checkOrder(events);
    expect(stack.sim.requests[0]!.body).toEqual({ ...body, model: "claude-sim", stream: true });
    // The SDK reads the same stream.
    const sdkEvents = await collect(await client.messages.create({ ...body, stream: true }));
    expect(sdkEvents.map((event) => event["type"])).toEqual(
      events.map((event) => event.event).filter((type) => type !== "ping"),
    );
    const message = finalMessage(events);
    expect(message["id"]).toMatch(/^msg_sim/);
    expect((message["content"] as Json[])[0]).toMatchObject({
      type: "tool_use",
      id: expect.stringMatching(/^toolu_sim_\d+$/),
      input: { city: "Paris" },
    });
  });

  it("answers 529 overloaded_error when every deployment is overloaded, with the upstream's text", async () => {
    stack.sim.addFault({ kind: "status", status: 529, key: KEYS.an1 });
    stack.sim.addFault({ kind: "status", status: 529, key: KEYS.an2 });
    const error = await client.messages
      .create({ model: "claude-pass", max_tokens: 16, messages: [{ role: "user", content: "Hello" }] })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Anthropic.APIError);
    const apiError = error as InstanceType<typeof Anthropic.APIError>;
    expect(apiError.status).toBe(529);
    expect(apiError.error).toMatchObject({ type: "error", error: { type: "overloaded_error" } });
    validateAnthropic("ErrorResponse", apiError.error);
    const tried = stack.sim.requests;
    expect(new Set(tried.map((request) => request.key))).toEqual(new Set([KEYS.an1, KEYS.an2]));
    expect(tried.every((request) => request.status === 529)).toBe(true);
  });

  it("answers 429 rate_limit_error with retry-after when every key is rate limited", async () => {
    stack.sim.addFault({ kind: "status", status: 429, key: KEYS.an1, headers: { "retry-after": "30" } });
    stack.sim.addFault({ kind: "status", status: 429, key: KEYS.an2, headers: { "retry-after": "30" } });
    const response = await post("/v1/messages", {
      model: "claude-pass",
      max_tokens: 16,
      messages: [{ role: "user", content: "Hello" }],
    });
    expect(response.status).toBe(429);
    expect(Number(response.headers.get("retry-after"))).toBeGreaterThan(0);
    const body = (await response.json()) as Json;
    validateAnthropic("ErrorResponse", body);
    expect(body).toMatchObject({ type: "error", error: { type: "rate_limit_error" } });
  });

  it("fails over from an Anthropic deployment to an OpenAI-compatible one and translates that answer", async () => {
    stack.sim.addFault({ kind: "status", status: 529, key: KEYS.an1, times: 1 });
    const events = await streamEvents({
      model: "mixed",
      max_tokens: 64,
      messages: [{ role: "user", content: "Hello" }],
    });
    checkOrder(events);
    const message = finalMessage(events);
    expect((message["content"] as Json[])[0]).toMatchObject({
      type: "text",
      text: "Hello from sim-chat via key oa01.",
    });
    expect(message["model"]).toBe("mixed");
  });
});

describe("shutdown", () => {
  it("cuts an open Anthropic stream with an Anthropic error event, a Responses one with response.failed", async () => {
    stack.sim.addFault({ kind: "no-done", key: KEYS.oa, keepOpen: true });
    const messages = await post("/v1/messages", {
      model: "claude-translated",
      max_tokens: 64,
      stream: true,
      messages: [{ role: "user", content: "Hello" }],
    });
    const responses = await fetch(`${stack.baseURL}/responses`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${GATEWAY_KEY}` },
      body: JSON.stringify({ model: "codex", input: "Hello", stream: true, store: false }),
    });
    expect(messages.status).toBe(200);
    expect(responses.status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await stack.gateway.app.llmuxStreams.cutAll({ flushMs: 500 })).toBe(2);
    const cut = parseSse(await messages.text()).at(-1)!;
    expect(cut.event).toBe("error");
    expect(cut.data).toMatchObject({ type: "error", error: { type: "overloaded_error" } });
    const failed = parseSse(await responses.text()).at(-1)!;
    expect(failed.event).toBe("response.failed");
    expect(failed.data["response"]).toMatchObject({ status: "failed", error: { code: expect.any(String) } });
  });
});

describe("errors, count_tokens and models", () => {
  it("answers an unknown model with 404 not_found_error", async () => {
    const error = await client.messages
      .create({ model: "claude-unknown-9", max_tokens: 16, messages: [{ role: "user", content: "Hi" }] })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Anthropic.NotFoundError);
    expect((error as InstanceType<typeof Anthropic.APIError>).error).toMatchObject({
      type: "error",
      error: { type: "not_found_error", message: expect.stringContaining("claude-unknown-9") },
    });
    expect(stack.sim.requests).toHaveLength(0);
  });

  it("answers a bad gateway key with 401 authentication_error, by x-api-key or Bearer", async () => {
    const wrong = new Anthropic({ apiKey: "sk-wrong", baseURL: stack.origin, maxRetries: 0 });
    const error = await wrong.messages
      .create({ model: "claude-pass", max_tokens: 16, messages: [{ role: "user", content: "Hi" }] })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Anthropic.AuthenticationError);
    expect((error as InstanceType<typeof Anthropic.APIError>).error).toMatchObject({
      type: "error",
      error: { type: "authentication_error" },
    });
    const bearer = new Anthropic({
      authToken: GATEWAY_KEY,
      apiKey: null,
      baseURL: stack.origin,
      maxRetries: 0,
    });
    const message = await bearer.messages.create({
      model: "claude-pass",
      max_tokens: 16,
      messages: [{ role: "user", content: "Hi" }],
    });
    expect(message.content[0]).toMatchObject({ type: "text" });
  });

  it("answers a malformed body and an invalid request with 400 invalid_request_error, upstream untouched", async () => {
    const malformed = await post("/v1/messages", "{not json");
    expect(malformed.status).toBe(400);
    const body = (await malformed.json()) as Json;
    validateAnthropic("ErrorResponse", body);
    expect(body).toMatchObject({ type: "error", error: { type: "invalid_request_error" } });
    const missing = await post("/v1/messages", {
      model: "claude-pass",
      messages: [{ role: "user", content: "Hi" }],
    });
    expect(missing.status).toBe(400);
    expect(await missing.json()).toMatchObject({
      type: "error",
      error: { type: "invalid_request_error", message: expect.stringContaining("max_tokens") },
    });
    expect(stack.sim.requests).toHaveLength(0);
  });

  it("counts tokens", async () => {
    const counted = await client.messages.countTokens({
      model: "claude-sonnet-4-5",
      system: "Be brief.",
      messages: [{ role: "user", content: "Hello there, how are you today?" }],
      tools: [weather],
    });
    validateAnthropic("CountMessageTokensResponse", counted);
    expect(counted.input_tokens).toBeGreaterThan(5);
    expect(stack.sim.requests).toHaveLength(0);
    const estimated = await post("/v1/messages/count_tokens", {
      model: "claude-translated",
      messages: [{ role: "user", content: "Hi" }],
    });
    expect(estimated.headers.get("x-llmux-count")).toBe("estimate");
    // An Anthropic upstream counts itself: the caller's body, model spliced in, its headers.
    const body = {
      model: "claude-pass",
      system: "Be brief.",
      messages: [{ role: "user", content: "Hello there" }],
    };
    const upstream = await post("/v1/messages/count_tokens", body, {
      "anthropic-beta": "token-counting-2024-11-01",
    });
    expect(upstream.status).toBe(200);
    expect(upstream.headers.get("x-llmux-count")).toBe("an1/claude-sim");
    const answer = (await upstream.json()) as Json;
    validateAnthropic("CountMessageTokensResponse", answer);
    expect(answer["input_tokens"]).toBeGreaterThan(0);
    const [seen] = stack.sim.requests;
    expect(seen).toMatchObject({ path: "/v1/messages/count_tokens", key: KEYS.an1, status: 200 });
    expect(seen!.body).toEqual({ ...body, model: "claude-sim" });
    expect(seen!.headers["anthropic-beta"]).toBe("token-counting-2024-11-01");
    const unknown = await post("/v1/messages/count_tokens", {
      model: "nope",
      messages: [{ role: "user", content: "Hi" }],
    });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error: { type: "not_found_error" } });
  });

  it("lists models in Anthropic's shape, groups then aliases, and pages them", async () => {
    const page = await client.models.list();
    const ids = page.data.map((model) => model.id);
    expect(ids).toEqual([
      "claude-translated",
      "claude-pass",
      "codex",
      "codex-reasoning",
      "claude-gemini",
      "mixed",
      "claude-sonnet-4-5",
      "claude-haiku-4-5",
      "claude-opus-4-8",
      "gpt-5-codex",
    ]);
    const raw = await fetch(`${stack.origin}/v1/models?limit=2`, {
      headers: { "x-api-key": GATEWAY_KEY, "anthropic-version": "2023-06-01" },
    });
    const listed = (await raw.json()) as Json;
    validateAnthropic("ListResponse_ModelInfo_", listed);
    expect(listed).toMatchObject({ has_more: true, first_id: "claude-translated", last_id: "claude-pass" });
    const one = await client.models.retrieve("claude-opus-4-8");
    expect(one).toMatchObject({ type: "model", id: "claude-opus-4-8" });
    const openai = await fetch(`${stack.origin}/v1/models`, {
      headers: { authorization: `Bearer ${GATEWAY_KEY}` },
    });
    expect(await openai.json()).toMatchObject({
      object: "list",
      data: expect.arrayContaining([expect.objectContaining({ id: "codex", object: "model" })]),
    });
  });
});
