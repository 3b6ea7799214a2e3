import { describe, expect, it } from "vitest";
import { geminiFinishReason, geminiUsage } from "../../../src/providers/gemini/index.js";

describe("geminiFinishReason", () => {
  it.each([
    ["STOP", false, "stop"],
    ["STOP", true, "tool_calls"],
    ["MAX_TOKENS", false, "length"],
    ["MAX_TOKENS", true, "length"],
    ["SAFETY", false, "content_filter"],
    ["RECITATION", false, "content_filter"],
    ["BLOCKLIST", false, "content_filter"],
    ["PROHIBITED_CONTENT", false, "content_filter"],
    ["SPII", false, "content_filter"],
    ["IMAGE_SAFETY", false, "content_filter"],
    ["LANGUAGE", false, "content_filter"],
    ["MALFORMED_FUNCTION_CALL", false, "stop"],
    ["OTHER", false, "stop"],
    ["FINISH_REASON_UNSPECIFIED", false, "stop"],
    ["SOMETHING_NEW", true, "tool_calls"],
    [null, true, null],
    [undefined, false, null],
    ["", false, null],
  ] as const)("%s (tool calls: %s) → %s", (reason, hasToolCalls, expected) => {
    expect(geminiFinishReason(reason, hasToolCalls)).toBe(expected);
  });
});

describe("geminiUsage", () => {
  it("adds tool-use prompt tokens and thoughts, and reports cached and reasoning tokens", () => {
    expect(
      geminiUsage({
        promptTokenCount: 1200,
        toolUsePromptTokenCount: 300,
        candidatesTokenCount: 150,
        thoughtsTokenCount: 500,
        cachedContentTokenCount: 1024,
        totalTokenCount: 2150,
      }),
    ).toEqual({
      prompt_tokens: 1500,
      completion_tokens: 650,
      total_tokens: 2150,
      prompt_tokens_details: { cached_tokens: 1024 },
      completion_tokens_details: { reasoning_tokens: 500 },
    });
  });

  it("fills in missing counts (a partial stream usage) and sums a missing total", () => {
    expect(geminiUsage({ promptTokenCount: 9 })).toEqual({
      prompt_tokens: 9,
      completion_tokens: 0,
      total_tokens: 9,
      prompt_tokens_details: { cached_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: 0 },
    });
    expect(geminiUsage(undefined).total_tokens).toBe(0);
  });
});
