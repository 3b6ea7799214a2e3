import { describe, expect, it } from "vitest";
import { InvalidRequestError, RateLimitedError, UpstreamHttpError } from "../../../src/errors/index.js";
import {
  anthropicErrorType,
  dropUnsignedThinking,
  toAnthropicError,
  toAnthropicErrorBody,
  toAnthropicModelList,
} from "../../../src/providers/anthropic/index.js";
import { validateAnthropic } from "../anthropic/anthropic-spec.js";

describe("Anthropic error bodies", () => {
  it.each([
    [400, "invalid_request_error"],
    [401, "authentication_error"],
    [402, "billing_error"],
    [403, "permission_error"],
    [404, "not_found_error"],
    [408, "timeout_error"],
    [413, "request_too_large"],
    [422, "invalid_request_error"],
    [429, "rate_limit_error"],
    [500, "api_error"],
    [502, "api_error"],
    [503, "overloaded_error"],
    [504, "timeout_error"],
    [529, "overloaded_error"],
  ])("status %i → %s", (status, type) => {
    expect(anthropicErrorType(status)).toBe(type);
    const body = toAnthropicError(status, "Something happened.");
    expect(body).toEqual({
      type: "error",
      error: { type, message: "Something happened." },
      request_id: null,
    });
    // The spec's ErrorType predates request_too_large, which the API documents for 413.
    if (status !== 413) validateAnthropic("ErrorResponse", body);
  });

  it("takes an explicit type and request id", () => {
    expect(toAnthropicError(400, "Bad.", "not_found_error", "req_011")).toEqual({
      type: "error",
      error: { type: "not_found_error", message: "Bad." },
      request_id: "req_011",
    });
  });

  it("maps llmux errors by status, keeping an upstream's Anthropic error type", () => {
    expect(
      toAnthropicErrorBody(new InvalidRequestError("max_tokens is required.", { param: "max_tokens" })),
    ).toEqual({
      status: 400,
      body: {
        type: "error",
        error: { type: "invalid_request_error", message: "max_tokens is required." },
        request_id: null,
      },
    });
    expect(
      toAnthropicErrorBody(new RateLimitedError("All keys are cooling down.", 3000, []), "req_1").body.error,
    ).toEqual({
      type: "rate_limit_error",
      message: "All keys are cooling down.",
    });
    const upstream = new UpstreamHttpError(400, "prompt is too long", {
      headers: {},
      body: {},
      upstreamType: "invalid_request_error",
    });
    expect(
      toAnthropicErrorBody(new InvalidRequestError("prompt is too long", { cause: upstream })).body.error
        .type,
    ).toBe("invalid_request_error");
    const openai = new UpstreamHttpError(404, "model gone", {
      headers: {},
      body: {},
      upstreamType: "invalid_request_error_x",
    });
    expect(toAnthropicErrorBody(openai).body.error.type).toBe("not_found_error");
    expect(toAnthropicErrorBody(new Error("boom"))).toEqual({
      status: 500,
      body: { type: "error", error: { type: "api_error", message: "boom" }, request_id: null },
    });
  });
});

describe("toAnthropicModelList", () => {
  const models = [
    { id: "smart", created: 1_757_000_000, displayName: "Smart (pooled)" },
    { id: "fast" },
    { id: "claude-sonnet-4-5" },
  ];

  it("lists every model in Anthropic's shape (pinned) and validates", () => {
    const list = toAnthropicModelList(models);
    expect(list).toEqual({
      data: [
        {
          type: "model",
          id: "smart",
          display_name: "Smart (pooled)",
          created_at: "2025-09-04T15:33:20Z",
          capabilities: null,
          max_input_tokens: null,
          max_tokens: null,
        },
        {
          type: "model",
          id: "fast",
          display_name: "fast",
          created_at: "1970-01-01T00:00:00Z",
          capabilities: null,
          max_input_tokens: null,
          max_tokens: null,
        },
        {
          type: "model",
          id: "claude-sonnet-4-5",
          display_name: "claude-sonnet-4-5",
          created_at: "1970-01-01T00:00:00Z",
          capabilities: null,
          max_input_tokens: null,
          max_tokens: null,
        },
      ],
      has_more: false,
      first_id: "smart",
      last_id: "claude-sonnet-4-5",
    });
    validateAnthropic("ListResponse_ModelInfo_", list);
  });

  it("pages with limit / after_id / before_id", () => {
    const ids = (page: Parameters<typeof toAnthropicModelList>[1]) => {
      const list = toAnthropicModelList(models, page);
      return [list.data.map((model) => model.id), list.has_more, list.first_id, list.last_id];
    };
    expect(ids({ limit: 2 })).toEqual([["smart", "fast"], true, "smart", "fast"]);
    expect(ids({ limit: 2, afterId: "fast" })).toEqual([
      ["claude-sonnet-4-5"],
      false,
      "claude-sonnet-4-5",
      "claude-sonnet-4-5",
    ]);
    expect(ids({ limit: 1, beforeId: "claude-sonnet-4-5" })).toEqual([["fast"], true, "fast", "fast"]);
    expect(ids({ afterId: "claude-sonnet-4-5" })).toEqual([[], false, null, null]);
  });
});

describe("dropUnsignedThinking", () => {
  const signed = { type: "thinking", thinking: "mine", signature: "EqQBCkgIBxAB" };
  const unsigned = { type: "thinking", thinking: "another model's", signature: "" };
  const call = { type: "tool_use", id: "toolu_1", name: "Read", input: {} };

  it("returns the body itself when every thinking block is signed", () => {
    const body = {
      model: "m",
      thinking: { type: "enabled", budget_tokens: 2048 },
      messages: [{ role: "assistant", content: [signed] }],
    };
    expect(dropUnsignedThinking(body)).toBe(body);
  });

  it("removes unsigned blocks and emptied turns; turns thinking off when the last assistant turn lost its own", () => {
    const body = {
      model: "m",
      max_tokens: 10,
      thinking: { type: "enabled", budget_tokens: 2048 },
      messages: [
        { role: "user", content: "hi" },
        { role: "assistant", content: [unsigned] },
        { role: "user", content: "go on" },
        { role: "assistant", content: [unsigned, call] },
        { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_1", content: "ok" }] },
      ],
    };
    expect(dropUnsignedThinking(body)).toEqual({
      model: "m",
      max_tokens: 10,
      messages: [
        { role: "user", content: "hi" },
        { role: "user", content: "go on" },
        { role: "assistant", content: [call] },
        { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_1", content: "ok" }] },
      ],
    });
    const earlierOnly = {
      ...body,
      messages: [...body.messages.slice(0, 3), { role: "assistant", content: [signed, call] }],
    };
    expect(dropUnsignedThinking(earlierOnly)).toHaveProperty("thinking");
  });
});
