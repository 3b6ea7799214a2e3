import { describe, expect, it } from "vitest";
import {
  fitTranslatedRequest,
  takesReasoningEffort,
  withoutUnsupportedReasoning,
} from "../../../src/providers/openai/index.js";
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

  it("sends the hints user / prompt_cache_key / safety_identifier only to vendors that take them", () => {
    const request = {
      model: "o3",
      messages: [{ role: "user", content: "Hi" }],
      reasoning_effort: "low",
      user: '{"session_id":"abc"}',
      prompt_cache_key: "session-1",
      safety_identifier: "u-1",
    } as ChatRequest;
    expect(fitTranslatedRequest(request, "openai")).toBe(request);
    expect(fitTranslatedRequest(request, "openrouter")).toBe(request);
    expect(fitTranslatedRequest(request, "mistral")).toEqual({
      model: "o3",
      messages: [{ role: "user", content: "Hi" }],
      reasoning_effort: "low",
    });
    expect(fitTranslatedRequest({ ...request, model: "gpt-4.1" } as ChatRequest, "groq")).toEqual({
      model: "gpt-4.1",
      messages: [{ role: "user", content: "Hi" }],
    });
    const bare = { model: "gpt-4.1", messages: [] } as unknown as ChatRequest;
    expect(fitTranslatedRequest(bare, "groq")).toBe(bare);
  });
});
