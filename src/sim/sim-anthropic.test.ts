import { afterEach, describe, expect, it } from "vitest";
import { startSimulator } from "./index.js";
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

/** The fields the tests read from Anthropic JSON bodies (Messages and errors). */
interface AnthropicBody {
  content: { type: string; text?: string }[];
  stop_reason: string;
  usage: { output_tokens: number };
  error: { type: string; message: string };
}

async function json(response: Response): Promise<AnthropicBody> {
  return (await response.json()) as AnthropicBody;
}

type Auth = { "x-api-key": string } | { authorization: string } | Record<string, never>;

function post(target: Simulator, body: unknown, auth: Auth = { "x-api-key": "k1" }, path = "/v1/messages") {
  return fetch(`${target.origin}${path}`, {
    method: "POST",
    headers: { "anthropic-version": "2023-06-01", "content-type": "application/json", ...auth },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

/** The named events of an Anthropic SSE body, checking the framing and that `data.type` is the event name. */
function events(text: string): { event: string; data: Record<string, unknown> }[] {
  expect(text.endsWith("\n\n")).toBe(true);
  return text
    .slice(0, -2)
    .split("\n\n")
    .map((block) => {
      const match = /^event: ([a-z_]+)\ndata: (.*)$/.exec(block);
      expect(match, block).not.toBeNull();
      const data = JSON.parse(match![2]!) as Record<string, unknown>;
      expect(data["type"]).toBe(match![1]);
      return { event: match![1]!, data };
    });
}

const messages = [{ role: "user", content: "Say hello" }];
const base = { model: "claude-x", max_tokens: 100, messages };
/** ceil(9 / 4) + 4 */
const PROMPT_TOKENS = 7;
const TEXT = "Hello from claude-x via key k1.";
const weather = {
  name: "get_weather",
  description: "Weather of a city",
  input_schema: {
    type: "object",
    properties: { city: { type: "string" }, days: { type: "integer" } },
    required: ["city"],
  },
};

describe("anthropic messages", () => {
  it("answers a deterministic Message with usage and records the request", async () => {
    const target = await start();
    const response = await post(target, { ...base, system: "You are terse.", metadata: { user_id: "u" } });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/json");
    expect(response.headers.get("request-id")).toBe("req_sim_1");
    expect(response.headers.get("anthropic-ratelimit-requests-limit")).toBeNull();
    expect(await json(response)).toEqual({
      id: "msg_sim_1",
      type: "message",
      role: "assistant",
      model: "claude-x",
      content: [{ type: "text", text: TEXT }],
      stop_reason: "end_turn",
      stop_sequence: null,
      // ceil((14 + 9) / 4) + 2 * 4
      usage: {
        input_tokens: 14,
        output_tokens: 5,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 0,
      },
    });
    expect(target.requests[0]).toMatchObject({
      wire: "anthropic",
      method: "POST",
      path: "/v1/messages",
      key: "k1",
      model: "claude-x",
      status: 200,
      body: { ...base, system: "You are terse.", metadata: { user_id: "u" } },
    });
    expect(target.requests[0]?.headers["anthropic-version"]).toBe("2023-06-01");
  });

  it("streams named events in Anthropic's order, one text delta per piece", async () => {
    const target = await start();
    const response = await post(target, { ...base, stream: true });
    expect(response.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
    const list = events(await response.text());
    expect(list.map((item) => item.event)).toEqual([
      "message_start",
      "ping",
      "content_block_start",
      ...Array<string>(5).fill("content_block_delta"),
      "content_block_stop",
      "message_delta",
      "message_stop",
    ]);
    expect(list[0]?.data).toEqual({
      type: "message_start",
      message: {
        id: "msg_sim_1",
        type: "message",
        role: "assistant",
        model: "claude-x",
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: {
          input_tokens: PROMPT_TOKENS,
          output_tokens: 1,
          cache_creation_input_tokens: 0,
          cache_read_input_tokens: 0,
        },
      },
    });
    expect(list[1]?.data).toEqual({ type: "ping" });
    expect(list[2]?.data).toEqual({
      type: "content_block_start",
      index: 0,
      content_block: { type: "text", text: "" },
    });
    expect(list[3]?.data).toEqual({
      type: "content_block_delta",
      index: 0,
      delta: { type: "text_delta", text: "Hello from claude-x" },
    });
    const text = list.slice(3, 8).map((item) => (item.data["delta"] as { text: string }).text);
    expect(text.join("")).toBe(TEXT);
    expect(list[8]?.data).toEqual({ type: "content_block_stop", index: 0 });
    expect(list[9]?.data).toEqual({
      type: "message_delta",
      delta: { stop_reason: "end_turn", stop_sequence: null },
      usage: {
        input_tokens: PROMPT_TOKENS,
        output_tokens: 5,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 0,
      },
    });
    expect(list[10]?.data).toEqual({ type: "message_stop" });
  });

  it("stops at max_tokens below the piece count", async () => {
    const target = await start();
    const message = await json(await post(target, { ...base, max_tokens: 2 }));
    expect(message.content).toEqual([{ type: "text", text: "Hello from claude-x via" }]);
    expect(message.stop_reason).toBe("max_tokens");
    expect(message.usage.output_tokens).toBe(2);
    const list = events(await (await post(target, { ...base, max_tokens: 2, stream: true })).text());
    expect(list.filter((item) => item.event === "content_block_delta")).toHaveLength(2);
    expect(list.at(-2)?.data["delta"]).toEqual({ stop_reason: "max_tokens", stop_sequence: null });
  });

  it("uses a tool for tool_choice any/tool or 'call a tool', filling input from input_schema", async () => {
    const target = await start();
    const other = {
      name: "other",
      input_schema: { type: "object", properties: { flag: { type: "boolean" } } },
    };
    const any = await json(
      await post(target, { ...base, tools: [weather, other], tool_choice: { type: "any" } }),
    );
    expect(any.content).toEqual([
      { type: "tool_use", id: "toolu_sim_1", name: "get_weather", input: { city: "Paris" } },
    ]);
    expect(any.stop_reason).toBe("tool_use");
    const named = await json(
      await post(target, { ...base, tools: [weather, other], tool_choice: { type: "tool", name: "other" } }),
    );
    expect(named.content).toEqual([
      { type: "tool_use", id: "toolu_sim_2", name: "other", input: { flag: true } },
    ]);
    const asked = {
      ...base,
      tools: [weather],
      messages: [{ role: "user", content: [{ type: "text", text: "Please call a tool" }] }],
    };
    expect((await json(await post(target, asked))).stop_reason).toBe("tool_use");
    const none = await json(await post(target, { ...asked, tool_choice: { type: "none" } }));
    expect(none.content[0]!.type).toBe("text");
    const auto = await json(await post(target, { ...base, tools: [weather], tool_choice: { type: "auto" } }));
    expect(auto.stop_reason).toBe("end_turn");
  });

  it("streams a tool_use block as input_json_delta fragments", async () => {
    const target = await start();
    const list = events(
      await (
        await post(target, { ...base, stream: true, tools: [weather], tool_choice: { type: "any" } })
      ).text(),
    );
    expect(list[2]?.data).toEqual({
      type: "content_block_start",
      index: 0,
      content_block: { type: "tool_use", id: "toolu_sim_1", name: "get_weather", input: {} },
    });
    const deltas = list.filter((item) => item.event === "content_block_delta");
    expect(deltas).toHaveLength(5);
    const fragments = deltas.map((item) => item.data["delta"] as { type: string; partial_json: string });
    expect(fragments.every((delta) => delta.type === "input_json_delta")).toBe(true);
    expect(JSON.parse(fragments.map((delta) => delta.partial_json).join(""))).toEqual({ city: "Paris" });
    expect(list.at(-2)?.data["delta"]).toEqual({ stop_reason: "tool_use", stop_sequence: null });
    expect(list.at(-2)?.data["usage"]).toMatchObject({ output_tokens: 5 });
  });

  it("answers JSON for output_config json_schema", async () => {
    const target = await start();
    const schema = { type: "object", properties: { greeting: { type: "string" } }, required: ["greeting"] };
    const message = await json(
      await post(target, { ...base, output_config: { format: { type: "json_schema", schema } } }),
    );
    expect(JSON.parse(message.content[0]!.text!)).toEqual({ greeting: TEXT });
  });

  it("accepts x-api-key or Bearer auth, any anthropic-version and ?beta=true", async () => {
    const target = await start({ keys: { k1: {} }, requireKnownKeys: true });
    expect((await post(target, base)).status).toBe(200);
    expect((await post(target, base, { authorization: "Bearer k1" })).status).toBe(200);
    const beta = await fetch(`${target.origin}/v1/messages?beta=true`, {
      method: "POST",
      headers: { "anthropic-version": "2026-10-21", "anthropic-beta": "x,y", authorization: "Bearer k1" },
      body: JSON.stringify(base),
    });
    expect(beta.status).toBe(200);
    expect(target.requests.map((record) => [record.wire, record.path, record.key])).toEqual([
      ["anthropic", "/v1/messages", "k1"],
      ["anthropic", "/v1/messages", "k1"],
      ["anthropic", "/v1/messages", "k1"],
    ]);
  });

  it("refuses unknown or missing keys with 401 authentication_error", async () => {
    const target = await start({ keys: { k1: {} }, requireKnownKeys: true });
    const unknown = await post(target, base, { "x-api-key": "nope" });
    expect(unknown.status).toBe(401);
    expect(unknown.headers.get("request-id")).toBe("req_sim_1");
    expect(await json(unknown)).toEqual({
      type: "error",
      error: { type: "authentication_error", message: "invalid x-api-key" },
      request_id: "req_sim_1",
    });
    const missing = await post(target, base, {});
    expect(missing.status).toBe(401);
    expect((await json(missing)).error).toEqual({
      type: "authentication_error",
      message: "x-api-key header is required",
    });
  });

  it("validates model, messages and max_tokens with 400 invalid_request_error", async () => {
    const target = await start();
    const cases: [unknown, string][] = [
      [{ messages, max_tokens: 5 }, "model: Field required"],
      [{ model: "m", max_tokens: 5 }, "messages: Field required"],
      [{ model: "m", messages: [], max_tokens: 5 }, "messages: at least one message is required"],
      [{ model: "m", messages }, "max_tokens: Field required"],
      [{ model: "m", messages, max_tokens: 1.5 }, "max_tokens: Input should be a valid integer"],
      [{ model: "m", messages, max_tokens: 0 }, "max_tokens: Input should be greater than or equal to 1"],
    ];
    for (const [body, message] of cases) {
      const response = await post(target, body);
      expect(response.status).toBe(400);
      expect((await json(response)).error).toEqual({ type: "invalid_request_error", message });
    }
    const malformed = await post(target, "{not json");
    expect(malformed.status).toBe(400);
    expect((await json(malformed)).error.type).toBe("invalid_request_error");
    const notFound = await fetch(`${target.origin}/v1/messages`);
    expect(notFound.status).toBe(404);
    expect((await json(notFound)).error.type).toBe("not_found_error");
  });

  it("refuses a prompt above the model's context window", async () => {
    const target = await start({ models: { small: { contextWindow: 6 } } });
    const response = await post(target, { ...base, model: "small" });
    expect(response.status).toBe(400);
    expect((await json(response)).error).toEqual({
      type: "invalid_request_error",
      message: `prompt is too long: ${PROMPT_TOKENS} tokens > 6 maximum`,
    });
    expect(
      (await post(target, { ...base, model: "small", messages: [{ role: "user", content: "" }] })).status,
    ).toBe(200);
  });

  it("counts tokens", async () => {
    const target = await start();
    const response = await post(
      target,
      { model: "m", messages, system: "You are terse." },
      undefined,
      "/v1/messages/count_tokens",
    );
    expect(await json(response)).toEqual({ input_tokens: 14 });
    expect((await post(target, { model: "m" }, undefined, "/v1/messages/count_tokens")).status).toBe(400);
  });
});
