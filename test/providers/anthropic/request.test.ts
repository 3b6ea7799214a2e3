import { describe, expect, it } from "vitest";
import { InvalidRequestError } from "../../../src/errors/index.js";
import {
  hello,
  model,
  rejection,
  timeDefinition,
  timeTool,
  toBody,
  weatherDefinition,
  weatherTool,
} from "./request-helpers.js";

describe("toAnthropicRequest: tools", () => {
  it("maps tool definitions (strict dropped, missing parameters → empty object schema)", () => {
    const body = toBody({ messages: hello, tools: [weatherTool, timeTool] });
    expect(body).toEqual({
      model,
      max_tokens: 64000,
      messages: hello,
      tools: [weatherDefinition, timeDefinition],
    });
  });

  it.each([
    ["auto", { type: "auto" }, { type: "auto", disable_parallel_tool_use: true }],
    ["required", { type: "any" }, { type: "any", disable_parallel_tool_use: true }],
    ["none", { type: "none" }, { type: "none" }],
    [
      { type: "function", function: { name: "get_time" } },
      { type: "tool", name: "get_time" },
      { type: "tool", name: "get_time", disable_parallel_tool_use: true },
    ],
    [undefined, undefined, { type: "auto", disable_parallel_tool_use: true }],
  ])("tool_choice %j → %j (parallel_tool_calls false → %j)", (choice, expected, withoutParallel) => {
    const tools = [weatherTool, timeTool];
    const request =
      choice === undefined ? { messages: hello, tools } : { messages: hello, tools, tool_choice: choice };
    const body = toBody(request);
    expect(body).toEqual({
      model,
      max_tokens: 64000,
      messages: hello,
      tools: [weatherDefinition, timeDefinition],
      ...(expected === undefined ? {} : { tool_choice: expected }),
    });
    expect(toBody({ ...request, parallel_tool_calls: false })["tool_choice"]).toEqual(withoutParallel);
    expect(toBody({ ...request, parallel_tool_calls: true })["tool_choice"]).toEqual(expected);
  });

  it("sends neither tools nor tool_choice without tools", () => {
    const body = toBody({ messages: hello, tools: [], tool_choice: "required", parallel_tool_calls: false });
    expect(body).toEqual({ model, max_tokens: 64000, messages: hello });
  });

  it("rejects non-function tools and tool choices it cannot map", () => {
    const custom = { type: "custom", custom: { name: "grammar" } };
    expect(rejection({ messages: hello, tools: [weatherTool, custom] }).param).toBe("tools[1]");
    const allowed = { type: "allowed_tools", allowed_tools: { mode: "auto", tools: [] } };
    expect(rejection({ messages: hello, tools: [weatherTool], tool_choice: allowed }).param).toBe(
      "tool_choice",
    );
  });
});

describe("toAnthropicRequest: response_format", () => {
  const schema = {
    type: "object",
    properties: { name: { type: "string" }, age: { type: "integer" } },
    required: ["name", "age"],
    additionalProperties: false,
  };

  it("maps json_schema to output_config.format", () => {
    const body = toBody({
      messages: hello,
      response_format: { type: "json_schema", json_schema: { name: "person", schema, strict: true } },
    });
    expect(body).toEqual({
      model,
      max_tokens: 64000,
      messages: hello,
      output_config: { format: { type: "json_schema", schema } },
    });
  });

  it("maps json_object to a system instruction after the caller's system prompt", () => {
    const body = toBody({
      messages: [{ role: "system", content: "You extract people." }, ...hello],
      response_format: { type: "json_object" },
    });
    expect(body).toEqual({
      model,
      max_tokens: 64000,
      system: "You extract people.\n\nRespond with a single JSON object and nothing else.",
      messages: hello,
    });
    expect(toBody({ messages: hello, response_format: { type: "json_object" } })["system"]).toBe(
      "Respond with a single JSON object and nothing else.",
    );
  });

  it("appends the json_object instruction as a plain block when the system prompt is cached", () => {
    const body = toBody({
      messages: [
        {
          role: "system",
          content: [{ type: "text", text: "You extract people.", cache_control: { type: "ephemeral" } }],
        },
        ...hello,
      ],
      response_format: { type: "json_object" },
    });
    expect(body["system"]).toEqual([
      { type: "text", text: "You extract people.", cache_control: { type: "ephemeral" } },
      { type: "text", text: "Respond with a single JSON object and nothing else." },
    ]);
  });

  it("falls back to the instruction for a json_schema without a schema", () => {
    const body = toBody({
      messages: hello,
      response_format: { type: "json_schema", json_schema: { name: "any" } },
    });
    expect(body).toEqual({
      model,
      max_tokens: 64000,
      system: "Respond with a single JSON object and nothing else.",
      messages: hello,
    });
  });

  it("keeps text as no instruction and rejects unknown formats", () => {
    expect(toBody({ messages: hello, response_format: { type: "text" } })).toEqual({
      model,
      max_tokens: 64000,
      messages: hello,
    });
    expect(rejection({ messages: hello, response_format: { type: "grammar" } }).param).toBe(
      "response_format",
    );
  });
});

describe("toAnthropicRequest: parameters", () => {
  it.each([
    ["END", ["END"]],
    [
      ["\n\n", "", "Human:"],
      ["\n\n", "Human:"],
    ],
    ["", undefined],
    [null, undefined],
  ])("stop %j → stop_sequences %j", (stop, expected) => {
    const body = toBody({ messages: hello, stop });
    expect(body).toEqual({
      model,
      max_tokens: 64000,
      messages: hello,
      ...(expected === undefined ? {} : { stop_sequences: expected }),
    });
  });

  it.each([
    [{ max_completion_tokens: 300, max_tokens: 100 }, model, 300],
    [{ max_tokens: 100 }, model, 100],
    [{ max_completion_tokens: null, max_tokens: 150 }, model, 150],
    [{}, "claude-opus-4-20250514", 32000],
    [{}, "claude-3-7-sonnet-latest", 64000],
    [{}, "claude-3-5-haiku-20241022", 8192],
    [{}, "claude-3-haiku-20240307", 4096],
    [{}, "some-unknown-model", 4096],
  ])("max tokens from %j for %s → %d", (fields, upstream, expected) => {
    const body = toBody({ messages: hello, ...fields }, upstream);
    expect(body).toEqual({ model: upstream, max_tokens: expected, messages: hello });
  });

  it("rejects a max_tokens that is not a positive integer", () => {
    expect(rejection({ messages: hello, max_tokens: 0 }).param).toBe("max_tokens");
    expect(rejection({ messages: hello, max_completion_tokens: 12.5 }).param).toBe("max_completion_tokens");
  });

  it.each([
    [1.7, 1],
    [2, 1],
    [0.3, 0.3],
    [0, 0],
    [-0.5, 0],
  ])("clamps temperature %d to %d", (temperature, expected) => {
    expect(toBody({ messages: hello, temperature })["temperature"]).toBe(expected);
  });

  it("maps top_p, user / safety_identifier and stream; drops what Anthropic has no use for", () => {
    const body = toBody({
      messages: hello,
      temperature: 0.2,
      top_p: 0.9,
      user: "legacy-user",
      safety_identifier: "user-7f3a",
      stream: true,
      stream_options: { include_usage: true },
      n: 1,
      logprobs: false,
      top_logprobs: 0,
      logit_bias: { "50256": -100 },
      seed: 42,
      frequency_penalty: 0.5,
      presence_penalty: 0.1,
      service_tier: "flex",
      store: true,
      metadata: { team: "search" },
      reasoning_effort: "low",
      prompt_cache_key: "k1",
    });
    expect(body).toEqual({
      model,
      max_tokens: 64000,
      messages: hello,
      temperature: 0.2,
      top_p: 0.9,
      metadata: { user_id: "user-7f3a" },
      stream: true,
    });
    expect(toBody({ messages: hello, user: "legacy-user", stream: false })).toEqual({
      model,
      max_tokens: 64000,
      messages: hello,
      metadata: { user_id: "legacy-user" },
    });
  });

  it("rejects n > 1, logprobs and top_logprobs", () => {
    const n = rejection({ messages: hello, n: 2 });
    expect(n).toBeInstanceOf(InvalidRequestError);
    expect(n.param).toBe("n");
    expect(n.status).toBe(400);
    expect(rejection({ messages: hello, logprobs: true }).param).toBe("logprobs");
    expect(rejection({ messages: hello, top_logprobs: 3 }).param).toBe("top_logprobs");
  });

  it("builds the full body of a realistic agent turn", () => {
    const body = toBody(
      {
        messages: [
          { role: "system", content: "You are a travel assistant." },
          { role: "user", content: "Plan a day in Kyoto; check the weather first." },
        ],
        tools: [weatherTool],
        tool_choice: "auto",
        parallel_tool_calls: false,
        max_completion_tokens: 2048,
        temperature: 1.2,
        stop: ["</plan>"],
        stream: true,
        stream_options: { include_usage: true },
      },
      "claude-opus-4-1-20250805",
    );
    expect(body).toEqual({
      model: "claude-opus-4-1-20250805",
      max_tokens: 2048,
      system: "You are a travel assistant.",
      messages: [{ role: "user", content: "Plan a day in Kyoto; check the weather first." }],
      tools: [weatherDefinition],
      tool_choice: { type: "auto", disable_parallel_tool_use: true },
      temperature: 1,
      stop_sequences: ["</plan>"],
      stream: true,
    });
  });
});
