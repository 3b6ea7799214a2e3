import { describe, expect, it } from "vitest";
import { cacheKey, canonicalJson, canonicalRequest } from "../../src/core/cache/index.js";
import type { ChatRequest } from "../../src/types/index.js";

const base: ChatRequest = {
  model: "gpt-4.1",
  messages: [
    { role: "system", content: "Be brief." },
    { role: "user", content: "Hello" },
  ],
  temperature: 0,
};
const key = (request: ChatRequest, group = "smart") => cacheKey(group, request);

describe("canonicalJson", () => {
  it("sorts keys at every depth, keeps array order, drops undefined members", () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: undefined } })).toBe(
      '{"a":{"d":[3,{"y":2,"z":1}]},"b":1}',
    );
    expect(canonicalJson([undefined, Number.NaN, "x"])).toBe('[null,null,"x"]');
    expect(canonicalJson({ é: 1, e: 2 })).toBe('{"e":2,"é":1}');
  });
});

describe("cacheKey", () => {
  it("is a sha256 hex digest, stable across calls", () => {
    expect(key(base)).toMatch(/^[0-9a-f]{64}$/);
    expect(key(structuredClone(base))).toBe(key(base));
  });

  it("does not depend on key order, at the top or inside messages and tools", () => {
    const reordered: ChatRequest = {
      temperature: 0,
      messages: [
        { content: "Be brief.", role: "system" },
        { content: "Hello", role: "user" },
      ],
      model: "gpt-4.1",
    };
    expect(key(reordered)).toBe(key(base));
    const tool = {
      type: "function",
      function: { name: "f", parameters: { type: "object", properties: {} } },
    };
    const toolReordered = {
      function: { parameters: { properties: {}, type: "object" }, name: "f" },
      type: "function",
    };
    expect(key({ ...base, tools: [tool] })).toBe(key({ ...base, tools: [toolReordered] }));
  });

  it.each<[string, Partial<ChatRequest>]>([
    ["stream", { stream: true }],
    ["stream_options", { stream: true, stream_options: { include_usage: true } }],
    ["user", { user: "alice" }],
    ["metadata", { metadata: { trace: "1" } }],
    ["store", { store: true }],
    ["prompt_cache_key", { prompt_cache_key: "session-1" }],
    ["safety_identifier", { safety_identifier: "hash" }],
    ["model (the group is the key)", { model: "another-model" }],
    ["a null field (the default)", { top_p: null }],
  ])("leaves out %s", (_name, change) => {
    expect(key({ ...base, ...change })).toBe(key(base));
  });

  it.each<[string, Partial<ChatRequest>]>([
    ["messages", { messages: [{ role: "user", content: "Hello!" }] }],
    [
      "message order",
      {
        messages: [
          { role: "user", content: "Hello" },
          { role: "system", content: "Be brief." },
        ],
      },
    ],
    ["tools", { tools: [{ type: "function", function: { name: "f" } }] }],
    ["tool_choice", { tool_choice: "required" }],
    ["response_format", { response_format: { type: "json_object" } }],
    ["temperature", { temperature: 0.7 }],
    ["top_p", { top_p: 0.9 }],
    ["presence_penalty", { presence_penalty: 0.5 }],
    ["frequency_penalty", { frequency_penalty: 0.5 }],
    ["logit_bias", { logit_bias: { "50256": -100 } }],
    ["max_tokens", { max_tokens: 10 }],
    ["max_completion_tokens", { max_completion_tokens: 10 }],
    ["n", { n: 2 }],
    ["seed", { seed: 7 }],
    ["stop", { stop: ["\n"] }],
    ["reasoning_effort", { reasoning_effort: "high" }],
    ["modalities", { modalities: ["text", "audio"] }],
    ["logprobs", { logprobs: true }],
    ["an unknown field", { some_future_option: 1 }],
  ])("includes %s", (_name, change) => {
    expect(key({ ...base, ...change })).not.toBe(key(base));
  });

  it("includes the model group", () => {
    expect(key(base, "fast")).not.toBe(key(base, "smart"));
  });

  it("treats max_tokens as max_completion_tokens and a string stop as a one-element list", () => {
    expect(key({ ...base, max_tokens: 50 })).toBe(key({ ...base, max_completion_tokens: 50 }));
    expect(key({ ...base, stop: "END" })).toBe(key({ ...base, stop: ["END"] }));
    expect(canonicalRequest({ ...base, max_tokens: 5, max_completion_tokens: 9 })).toMatchObject({
      max_completion_tokens: 9,
    });
    expect(canonicalRequest({ ...base, max_tokens: 5 })).not.toHaveProperty("max_tokens");
  });
});
