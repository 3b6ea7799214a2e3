import { describe, expect, it } from "vitest";
import {
  anthropicFinishReason,
  anthropicUsage,
  defaultMaxTokens,
  readAnthropicError,
} from "../../../src/providers/anthropic/index.js";
import { validateOpenAI } from "../../helpers/openai-spec.js";
import * as errors from "./fixtures/errors.js";

describe("anthropicFinishReason", () => {
  it.each([
    ["end_turn", "stop"],
    ["stop_sequence", "stop"],
    ["pause_turn", "stop"],
    ["max_tokens", "length"],
    ["model_context_window_exceeded", "length"],
    ["tool_use", "tool_calls"],
    ["refusal", "content_filter"],
    ["a_reason_added_later", "stop"],
    [null, null],
    [undefined, null],
  ])("%s → %s", (stopReason, expected) => {
    expect(anthropicFinishReason(stopReason)).toBe(expected);
  });
});

describe("anthropicUsage", () => {
  it("adds cache creation and cache reads to the prompt tokens", () => {
    const usage = anthropicUsage({
      input_tokens: 50,
      cache_creation_input_tokens: 200,
      cache_read_input_tokens: 1000,
      output_tokens: 75,
      cache_creation: { ephemeral_5m_input_tokens: 200, ephemeral_1h_input_tokens: 0 },
      server_tool_use: null,
      service_tier: "standard",
    });
    expect(usage).toEqual({
      prompt_tokens: 1250,
      completion_tokens: 75,
      total_tokens: 1325,
      prompt_tokens_details: { cached_tokens: 1000 },
    });
    validateOpenAI("CompletionUsage", usage);
  });

  it("treats missing, null and bad counts as 0", () => {
    expect(anthropicUsage({ input_tokens: 7, cache_read_input_tokens: null, output_tokens: "3" })).toEqual({
      prompt_tokens: 7,
      completion_tokens: 0,
      total_tokens: 7,
      prompt_tokens_details: { cached_tokens: 0 },
    });
    expect(anthropicUsage(undefined)).toEqual({
      prompt_tokens: 0,
      completion_tokens: 0,
      total_tokens: 0,
      prompt_tokens_details: { cached_tokens: 0 },
    });
  });
});

describe("defaultMaxTokens", () => {
  it.each([
    ["claude-opus-4-6", 128000],
    ["claude-opus-4-5-20251101", 64000],
    ["claude-opus-4-1-20250805", 32000],
    ["claude-opus-4-20250514", 32000],
    ["claude-opus-4-0", 32000],
    ["claude-opus-4-7", 32000],
    ["claude-sonnet-4-6", 64000],
    ["claude-sonnet-4-5-20250929", 64000],
    ["claude-sonnet-4-20250514", 64000],
    ["claude-haiku-4-5", 64000],
    ["claude-3-7-sonnet-20250219", 64000],
    ["us.anthropic.claude-3-7-sonnet-20250219-v1:0", 64000],
    ["claude-3-5-sonnet-20241022", 8192],
    ["claude-3-5-haiku-latest", 8192],
    ["claude-3-opus-20240229", 4096],
    ["claude-3-haiku-20240307", 4096],
    ["Claude-3-Haiku-20240307", 4096],
    ["my-finetune", 4096],
  ])("%s → %d", (model, expected) => {
    expect(defaultMaxTokens(model)).toBe(expected);
  });
});

describe("readAnthropicError", () => {
  it.each([
    [errors.invalidRequest400, "invalid_request_error", null],
    [errors.authentication401, "authentication_error", null],
    [errors.requestTooLarge413, "request_too_large", null],
    [errors.rateLimit429, "rate_limit_error", null],
    [errors.spendLimit429, "rate_limit_error", "enforced_spend_limit_reached"],
    [errors.apiError500, "api_error", null],
    [errors.overloaded529, "overloaded_error", null],
  ])("reads %j", (body, type, code) => {
    expect(readAnthropicError(body)).toEqual({ message: body.error.message, type, code });
  });

  it("tolerates other shapes", () => {
    expect(readAnthropicError({ type: "overloaded_error", message: "Overloaded" })).toEqual({
      message: "Overloaded",
      type: "overloaded_error",
      code: null,
    });
    expect(readAnthropicError({ error: "upstream connect error" })).toEqual({
      message: "upstream connect error",
      type: null,
      code: null,
    });
    expect(readAnthropicError([errors.overloaded529])).toEqual({
      message: "Overloaded",
      type: "overloaded_error",
      code: null,
    });
    expect(readAnthropicError("<html>502 Bad Gateway</html>")).toEqual({
      message: "<html>502 Bad Gateway</html>",
      type: null,
      code: null,
    });
    expect(readAnthropicError({ type: "error", error: { type: "api_error", code: 500 } })).toEqual({
      message: null,
      type: "api_error",
      code: "500",
    });
    expect(readAnthropicError(null)).toEqual({ message: null, type: null, code: null });
    expect(readAnthropicError({ type: "error" })).toEqual({ message: null, type: null, code: null });
  });
});
