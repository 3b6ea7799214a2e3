import { describe, expect, it } from "vitest";
import { takesReasoningEffort, withoutUnsupportedReasoning } from "../../../src/providers/openai/index.js";
import type { ChatRequest } from "../../../src/types/index.js";

describe("reasoning_effort for translated callers", () => {
  it.each([
    ["o3", true],
    ["o4-mini", true],
    ["gpt-5-codex", true],
    ["openai/gpt-oss-120b", true],
    ["deepseek-reasoner", true],
    ["qwen/qwen3-32b", true],
    ["grok-3-mini", true],
    ["gemini-2.5-flash", true],
    ["gpt-4.1", false],
    ["gpt-4o-mini", false],
    ["llama-3.3-70b-versatile", false],
    ["deepseek-chat", false],
    ["grok-3", false],
  ])("%s takes reasoning_effort: %s", (model, expected) => {
    expect(takesReasoningEffort(model)).toBe(expected);
  });

  it("drops it for other models and keeps the request otherwise", () => {
    const request = {
      model: "gpt-4.1",
      messages: [{ role: "user", content: "Hi" }],
      reasoning_effort: "high",
      max_tokens: 10,
    } as ChatRequest;
    expect(withoutUnsupportedReasoning(request)).toEqual({
      model: "gpt-4.1",
      messages: [{ role: "user", content: "Hi" }],
      max_tokens: 10,
    });
    const reasoning = { ...request, model: "o3" } as ChatRequest;
    expect(withoutUnsupportedReasoning(reasoning)).toBe(reasoning);
    const plain = { model: "gpt-4.1", messages: [] } as unknown as ChatRequest;
    expect(withoutUnsupportedReasoning(plain)).toBe(plain);
  });
});
