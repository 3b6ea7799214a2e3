import { describe, expect, it } from "vitest";
import { AttemptTimeout, classifyFailure } from "../../src/core/classify.js";
import { resolveEngineOptions } from "../../src/core/options.js";
import { decide, type FailureDecision } from "../../src/core/policy.js";
import { StreamFailure } from "../../src/core/relay/stream-failure.js";
import {
  AbortedError,
  InvalidRequestError,
  LlmuxError,
  UnsendableRequestError,
  UpstreamHttpError,
  UpstreamNetworkError,
} from "../../src/errors/index.js";
import { mapOpenAIStreamData } from "../../src/providers/openai/stream.js";
import type { Failure, FailureKind, HeaderMap } from "../../src/types/index.js";

const now = Date.parse("2025-03-01T12:00:00.000Z");

/** What `JSON.stringify` throws on a body nested 5,000 deep. */
function serialiseError(): unknown {
  const deep: unknown = JSON.parse("[".repeat(5000) + "]".repeat(5000));
  try {
    JSON.stringify({ deep });
  } catch (error) {
    return error;
  }
  throw new Error("expected JSON.stringify to fail");
}

function http(
  status: number,
  message: string,
  details: { headers?: HeaderMap; body?: unknown; code?: string; type?: string } = {},
): UpstreamHttpError {
  return new UpstreamHttpError(status, message, {
    headers: details.headers ?? {},
    body: details.body ?? null,
    upstreamCode: details.code ?? null,
    upstreamType: details.type ?? null,
  });
}

function gemini429(quotaId: string, retryDelay?: string): unknown {
  return {
    error: {
      code: 429,
      message: "You exceeded your current quota, please check your plan and billing details.",
      status: "RESOURCE_EXHAUSTED",
      details: [
        {
          "@type": "type.googleapis.com/google.rpc.QuotaFailure",
          violations: [
            {
              quotaMetric: "generativelanguage.googleapis.com/generate_content_free_tier_requests",
              quotaId,
              quotaDimensions: { location: "global", model: "gemini-2.0-flash" },
              quotaValue: "200",
            },
          ],
        },
        ...(retryDelay === undefined
          ? []
          : [{ "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay }]),
      ],
    },
  };
}

interface Expected {
  kind: FailureKind;
  status: number | null;
  code: string | null;
  retryAfterMs: number | null;
}

describe("classifyFailure", () => {
  it.each<[string, unknown, Expected]>([
    // 429
    [
      "429 without signal",
      http(429, "Rate limit"),
      { kind: "rate_limited", status: 429, code: null, retryAfterMs: null },
    ],
    [
      "429 with retry-after header",
      http(429, "Rate limit", { headers: { "retry-after": "7" }, code: "rate_limit_exceeded" }),
      { kind: "rate_limited", status: 429, code: "rate_limit_exceeded", retryAfterMs: 7_000 },
    ],
    [
      "429 with x-ratelimit headers",
      http(429, "Rate limit", {
        headers: {
          "x-ratelimit-remaining-tokens": "0",
          "x-ratelimit-reset-tokens": "6m0s",
          "x-ratelimit-reset-requests": "1s",
        },
        type: "tokens",
        code: "rate_limit_exceeded",
      }),
      { kind: "rate_limited", status: 429, code: "rate_limit_exceeded", retryAfterMs: 360_000 },
    ],
    [
      "429 with OpenAI message in body",
      http(429, "Rate limit reached. Please try again in 6.132s.", {
        body: {
          error: { message: "Rate limit reached. Please try again in 6.132s.", code: "rate_limit_exceeded" },
        },
        code: "rate_limit_exceeded",
      }),
      { kind: "rate_limited", status: 429, code: "rate_limit_exceeded", retryAfterMs: 6_132 },
    ],
    [
      "429 Gemini per-minute quota with RetryInfo",
      http(429, "quota", { body: gemini429("GenerateRequestsPerMinutePerProjectPerModel-FreeTier", "22s") }),
      { kind: "rate_limited", status: 429, code: null, retryAfterMs: 22_000 },
    ],
    [
      "429 headers win over body",
      http(429, "x", { headers: { "retry-after": "2" }, body: gemini429("PerMinute", "22s") }),
      { kind: "rate_limited", status: 429, code: null, retryAfterMs: 2_000 },
    ],
    [
      "429 insufficient_quota code",
      http(429, "You exceeded your current quota", {
        code: "insufficient_quota",
        type: "insufficient_quota",
      }),
      { kind: "quota_exhausted", status: 429, code: "insufficient_quota", retryAfterMs: null },
    ],
    [
      "429 insufficient_quota as type only",
      http(429, "You exceeded your current quota", { type: "insufficient_quota" }),
      { kind: "quota_exhausted", status: 429, code: "insufficient_quota", retryAfterMs: null },
    ],
    [
      "429 Gemini PerDay quota",
      http(429, "quota", { body: gemini429("GenerateRequestsPerDayPerProjectPerModel-FreeTier", "35s") }),
      { kind: "quota_exhausted", status: 429, code: null, retryAfterMs: 35_000 },
    ],
    [
      "429 Gemini PerDay quota wrapped in an array",
      http(429, "quota", { body: [gemini429("GenerateRequestsPerDayPerProjectPerModel-FreeTier")] }),
      { kind: "quota_exhausted", status: 429, code: null, retryAfterMs: null },
    ],
    // other statuses
    [
      "402",
      http(402, "Payment required"),
      { kind: "quota_exhausted", status: 402, code: null, retryAfterMs: null },
    ],
    [
      "400 billing_hard_limit_reached",
      http(400, "Billing hard limit has been reached", { code: "billing_hard_limit_reached" }),
      { kind: "quota_exhausted", status: 400, code: "billing_hard_limit_reached", retryAfterMs: null },
    ],
    [
      "401",
      http(401, "Incorrect API key provided", { code: "invalid_api_key" }),
      { kind: "auth", status: 401, code: "invalid_api_key", retryAfterMs: null },
    ],
    ["403", http(403, "Forbidden"), { kind: "auth", status: 403, code: null, retryAfterMs: null }],
    [
      "404",
      http(404, "The model `gpt-9` does not exist", { code: "model_not_found" }),
      { kind: "not_found", status: 404, code: "model_not_found", retryAfterMs: null },
    ],
    [
      "400 context_length_exceeded code",
      http(400, "Too long", { code: "context_length_exceeded" }),
      { kind: "context_length", status: 400, code: "context_length_exceeded", retryAfterMs: null },
    ],
    [
      "400 maximum context length message",
      http(
        400,
        "This model's maximum context length is 8192 tokens. However, your messages resulted in 9000 tokens.",
      ),
      { kind: "context_length", status: 400, code: null, retryAfterMs: null },
    ],
    [
      "400 Anthropic prompt is too long",
      http(400, "prompt is too long: 210000 tokens > 200000 maximum", { type: "invalid_request_error" }),
      { kind: "context_length", status: 400, code: "invalid_request_error", retryAfterMs: null },
    ],
    [
      "400 other",
      http(400, "Invalid value for 'temperature'", { code: "invalid_value", type: "invalid_request_error" }),
      { kind: "bad_request", status: 400, code: "invalid_value", retryAfterMs: null },
    ],
    [
      "422",
      http(422, "Unprocessable Entity"),
      { kind: "bad_request", status: 422, code: null, retryAfterMs: null },
    ],
    [
      "400 API key not valid (Gemini)",
      http(400, "API key not valid. Please pass a valid API key.", {
        body: {
          error: {
            code: 400,
            message: "API key not valid. Please pass a valid API key.",
            status: "INVALID_ARGUMENT",
          },
        },
        type: "INVALID_ARGUMENT",
      }),
      { kind: "auth", status: 400, code: "INVALID_ARGUMENT", retryAfterMs: null },
    ],
    [
      "400 API_KEY_INVALID reason only in the body",
      http(400, "Invalid argument", {
        body: { error: { code: 400, details: [{ reason: "API_KEY_INVALID" }] } },
      }),
      { kind: "auth", status: 400, code: null, retryAfterMs: null },
    ],
    ["408", http(408, "Request Timeout"), { kind: "timeout", status: 408, code: null, retryAfterMs: null }],
    ["409", http(409, "Conflict"), { kind: "server_error", status: 409, code: null, retryAfterMs: null }],
    [
      "500",
      http(500, "Internal error"),
      { kind: "server_error", status: 500, code: null, retryAfterMs: null },
    ],
    ["502", http(502, "Bad Gateway"), { kind: "server_error", status: 502, code: null, retryAfterMs: null }],
    [
      "504",
      http(504, "Gateway Timeout"),
      { kind: "server_error", status: 504, code: null, retryAfterMs: null },
    ],
    [
      "503",
      http(503, "Service Unavailable", { headers: { "retry-after": "30" } }),
      { kind: "overloaded", status: 503, code: null, retryAfterMs: 30_000 },
    ],
    [
      "529",
      http(529, "Overloaded", { type: "overloaded_error" }),
      { kind: "overloaded", status: 529, code: "overloaded_error", retryAfterMs: null },
    ],
    // transport
    [
      "UpstreamNetworkError ECONNRESET",
      new UpstreamNetworkError("socket hang up", "ECONNRESET"),
      { kind: "network", status: null, code: "ECONNRESET", retryAfterMs: null },
    ],
    [
      "plain error with code ECONNRESET",
      Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" }),
      { kind: "network", status: null, code: "ECONNRESET", retryAfterMs: null },
    ],
    [
      "ECONNRESET nested in cause",
      new TypeError("fetch failed", {
        cause: Object.assign(new Error("other side closed"), { code: "ECONNRESET" }),
      }),
      { kind: "network", status: null, code: "ECONNRESET", retryAfterMs: null },
    ],
    [
      "undici code nested two levels deep",
      new Error("outer", {
        cause: new Error("middle", { cause: Object.assign(new Error("inner"), { code: "UND_ERR_SOCKET" }) }),
      }),
      { kind: "network", status: null, code: "UND_ERR_SOCKET", retryAfterMs: null },
    ],
    // our own code: not the upstream's fault
    [
      "non-system code is not a network code: local",
      Object.assign(new Error("weird"), { code: "invalid" }),
      { kind: "local", status: 400, code: null, retryAfterMs: null },
    ],
    ["a thrown string: local", "kaputt", { kind: "local", status: 400, code: null, retryAfterMs: null }],
    [
      "RangeError from JSON.stringify (a 5,000-deep body): local",
      serialiseError(),
      { kind: "local", status: 400, code: null, retryAfterMs: null },
    ],
    [
      "TypeError thrown by a mapper: local",
      new TypeError("Cannot read properties of null (reading 'role')"),
      { kind: "local", status: 400, code: null, retryAfterMs: null },
    ],
    [
      "Node's own ERR_ code is not a network code: local",
      Object.assign(new TypeError("bad arg"), { code: "ERR_INVALID_ARG_TYPE" }),
      { kind: "local", status: 400, code: null, retryAfterMs: null },
    ],
    [
      "UnsendableRequestError: local",
      new UnsendableRequestError("cannot be serialised"),
      { kind: "local", status: 400, code: "invalid_request", retryAfterMs: null },
    ],
    [
      "UnsendableRequestError with an unsendable image: local",
      new UnsendableRequestError("Could not download image", { param: "messages" }),
      { kind: "local", status: 400, code: "invalid_request", retryAfterMs: null },
    ],
    [
      "InvalidRequestError after the answer (prompt blocked): still bad_request",
      new InvalidRequestError("blocked"),
      { kind: "bad_request", status: 400, code: "invalid_request", retryAfterMs: null },
    ],
    [
      "UND_ERR_CONNECT_TIMEOUT stays network",
      Object.assign(new Error("Connect Timeout Error"), { code: "UND_ERR_CONNECT_TIMEOUT" }),
      { kind: "network", status: null, code: "UND_ERR_CONNECT_TIMEOUT", retryAfterMs: null },
    ],
    [
      "fetch failed with ECONNREFUSED cause stays network",
      new TypeError("fetch failed", {
        cause: Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), { code: "ECONNREFUSED" }),
      }),
      { kind: "network", status: null, code: "ECONNREFUSED", retryAfterMs: null },
    ],
    [
      "UpstreamNetworkError without a code stays network",
      new UpstreamNetworkError("stream response without a body", null),
      { kind: "network", status: null, code: null, retryAfterMs: null },
    ],
    // engine's own
    [
      "AttemptTimeout first_token",
      new AttemptTimeout("first_token", 60_000),
      { kind: "timeout", status: null, code: "first_token", retryAfterMs: null },
    ],
    [
      "AttemptTimeout idle",
      new AttemptTimeout("idle", 30_000),
      { kind: "timeout", status: null, code: "idle", retryAfterMs: null },
    ],
    [
      "AttemptTimeout deadline",
      new AttemptTimeout("deadline", 600_000),
      { kind: "timeout", status: null, code: "deadline", retryAfterMs: null },
    ],
    [
      "AbortedError",
      new AbortedError(),
      { kind: "aborted", status: null, code: "aborted", retryAfterMs: null },
    ],
    [
      "StreamFailure stream_cut",
      new StreamFailure("closed early", "stream_cut", null),
      { kind: "stream_cut", status: null, code: null, retryAfterMs: null },
    ],
    [
      "StreamFailure stream_error",
      new StreamFailure("in-band", "stream_error", "server_error"),
      { kind: "stream_error", status: null, code: "server_error", retryAfterMs: null },
    ],
    [
      "StreamFailure overloaded_error",
      new StreamFailure("in-band", "stream_error", "overloaded_error"),
      { kind: "overloaded", status: null, code: "overloaded_error", retryAfterMs: null },
    ],
    [
      "StreamFailure rate_limit_error",
      new StreamFailure("in-band", "stream_error", "rate_limit_error"),
      { kind: "rate_limited", status: null, code: "rate_limit_error", retryAfterMs: null },
    ],
    [
      "another LlmuxError",
      new LlmuxError("invalid_request", "odd", { status: 400 }),
      { kind: "server_error", status: 400, code: "invalid_request", retryAfterMs: null },
    ],
  ])("%s", (_name, error, expected) => {
    const failure = classifyFailure(error, now);
    expect({
      kind: failure.kind,
      status: failure.status,
      code: failure.code,
      retryAfterMs: failure.retryAfterMs,
    }).toEqual(expected);
    expect(failure.cause).toBe(error);
  });

  it.each<[string, unknown, string]>([
    ["upstream message kept", http(429, "Rate limit reached"), "Rate limit reached"],
    ["AttemptTimeout first_token", new AttemptTimeout("first_token", 60_000), "No response within 60000 ms"],
    ["AttemptTimeout idle", new AttemptTimeout("idle", 30_000), "No stream data within 30000 ms"],
    [
      "AttemptTimeout deadline",
      new AttemptTimeout("deadline", 600_000),
      "Request deadline of 600000 ms passed",
    ],
    ["AbortedError", new AbortedError(), "Request was aborted."],
    ["string", "kaputt", "The request could not be sent: kaputt"],
    ["UnsendableRequestError", new UnsendableRequestError("too deep"), "too deep"],
  ])("message: %s", (_name, error, message) => {
    expect(classifyFailure(error, now).message).toBe(message);
  });

  // An in-band OpenAI/Groq rate-limit error has `type: "tokens"` and `code: "rate_limit_exceeded"`:
  // the code must win, or it would be taken for a generic stream error.
  it("in-band OpenAI rate-limit error in a stream classifies as rate_limited", () => {
    const event = mapOpenAIStreamData(
      '{"error":{"message":"Rate limit reached","type":"tokens","code":"rate_limit_exceeded"}}',
    );
    const errorType = event.type === "error" ? event.errorType : null;
    const failure = classifyFailure(new StreamFailure("in-band", "stream_error", errorType), now);
    expect(failure.kind).toBe("rate_limited");
  });
});

const options = resolveEngineOptions({}).failure;

function failure(
  kind: FailureKind,
  retryAfterMs: number | null = null,
  status: number | null = null,
): Failure {
  return { kind, status, message: "upstream said no", code: null, retryAfterMs, cause: null };
}

const half = (): number => 0.5;
const low = (): number => 0;
const high = (): number => 0.999;

describe("decide", () => {
  it("uses the documented defaults", () => {
    expect(options).toEqual({
      backoffBaseMs: 1_000,
      backoffMaxMs: 60_000,
      backoffJitter: 0.2,
      quotaCooldownMs: 3_600_000,
      minCooldownMs: 10,
    });
  });

  const none = { cooldown: null, disable: null, circuitFailure: false, retrySame: false };

  it.each<[string, Failure, number, () => number, FailureDecision]>([
    // rate_limited: provider signal used as-is
    [
      "rate_limited with signal",
      failure("rate_limited", 5_000, 429),
      3,
      half,
      { ...none, action: "failover", cooldown: { ms: 5_000, fromProvider: true, escalate: false } },
    ],
    [
      "rate_limited with signal 0 → minCooldownMs",
      failure("rate_limited", 0, 429),
      0,
      half,
      { ...none, action: "failover", cooldown: { ms: 10, fromProvider: true, escalate: false } },
    ],
    // rate_limited: exponential backoff
    [
      "backoff level 0, no jitter",
      failure("rate_limited", null, 429),
      0,
      half,
      { ...none, action: "failover", cooldown: { ms: 1_000, fromProvider: false, escalate: true } },
    ],
    [
      "backoff level 1, no jitter",
      failure("rate_limited", null, 429),
      1,
      half,
      { ...none, action: "failover", cooldown: { ms: 2_000, fromProvider: false, escalate: true } },
    ],
    [
      "backoff level 3, no jitter",
      failure("rate_limited", null, 429),
      3,
      half,
      { ...none, action: "failover", cooldown: { ms: 8_000, fromProvider: false, escalate: true } },
    ],
    [
      "backoff level 5, no jitter",
      failure("rate_limited", null, 429),
      5,
      half,
      { ...none, action: "failover", cooldown: { ms: 32_000, fromProvider: false, escalate: true } },
    ],
    [
      "backoff level 6 capped at max",
      failure("rate_limited", null, 429),
      6,
      half,
      { ...none, action: "failover", cooldown: { ms: 60_000, fromProvider: false, escalate: true } },
    ],
    [
      "backoff level 30 capped at max",
      failure("rate_limited", null, 429),
      30,
      half,
      { ...none, action: "failover", cooldown: { ms: 60_000, fromProvider: false, escalate: true } },
    ],
    [
      "backoff level 0, lowest jitter (−20 %)",
      failure("rate_limited", null, 429),
      0,
      low,
      { ...none, action: "failover", cooldown: { ms: 800, fromProvider: false, escalate: true } },
    ],
    [
      "backoff level 0, highest jitter (+20 %)",
      failure("rate_limited", null, 429),
      0,
      high,
      { ...none, action: "failover", cooldown: { ms: 1_200, fromProvider: false, escalate: true } },
    ],
    [
      "backoff level 2, lowest jitter",
      failure("rate_limited", null, 429),
      2,
      low,
      { ...none, action: "failover", cooldown: { ms: 3_200, fromProvider: false, escalate: true } },
    ],
    [
      "backoff level 2, highest jitter",
      failure("rate_limited", null, 429),
      2,
      high,
      { ...none, action: "failover", cooldown: { ms: 4_798, fromProvider: false, escalate: true } },
    ],
    [
      "backoff at cap, lowest jitter",
      failure("rate_limited", null, 429),
      10,
      low,
      { ...none, action: "failover", cooldown: { ms: 48_000, fromProvider: false, escalate: true } },
    ],
    // Jitter never takes the cooldown past backoffMaxMs.
    [
      "backoff at cap, highest jitter (clamped to backoffMaxMs)",
      failure("rate_limited", null, 429),
      10,
      high,
      { ...none, action: "failover", cooldown: { ms: 60_000, fromProvider: false, escalate: true } },
    ],
    // quota
    [
      "quota without signal",
      failure("quota_exhausted", null, 402),
      0,
      half,
      { ...none, action: "failover", cooldown: { ms: 3_600_000, fromProvider: false, escalate: false } },
    ],
    [
      "quota with shorter signal → quotaCooldownMs",
      failure("quota_exhausted", 35_000, 429),
      4,
      half,
      { ...none, action: "failover", cooldown: { ms: 3_600_000, fromProvider: false, escalate: false } },
    ],
    [
      "quota with longer signal → signal",
      failure("quota_exhausted", 7_200_000, 429),
      0,
      half,
      { ...none, action: "failover", cooldown: { ms: 7_200_000, fromProvider: true, escalate: false } },
    ],
    // overloaded
    [
      "overloaded without signal",
      failure("overloaded", null, 529),
      0,
      half,
      { ...none, action: "failover", circuitFailure: true, retrySame: true },
    ],
    [
      "overloaded with signal",
      failure("overloaded", 30_000, 503),
      0,
      half,
      {
        ...none,
        action: "failover",
        circuitFailure: true,
        retrySame: true,
        cooldown: { ms: 30_000, fromProvider: true, escalate: false },
      },
    ],
    [
      "overloaded with signal 0 → minCooldownMs",
      failure("overloaded", 0, 503),
      0,
      half,
      {
        ...none,
        action: "failover",
        circuitFailure: true,
        retrySame: true,
        cooldown: { ms: 10, fromProvider: true, escalate: false },
      },
    ],
    // transient
    [
      "server_error",
      failure("server_error", null, 500),
      0,
      half,
      { ...none, action: "failover", circuitFailure: true, retrySame: true },
    ],
    [
      "server_error ignores a signal",
      failure("server_error", 9_000, 500),
      0,
      half,
      { ...none, action: "failover", circuitFailure: true, retrySame: true },
    ],
    [
      "network",
      failure("network"),
      0,
      half,
      { ...none, action: "failover", circuitFailure: true, retrySame: true },
    ],
    [
      "stream_cut",
      failure("stream_cut"),
      0,
      half,
      { ...none, action: "failover", circuitFailure: true, retrySame: true },
    ],
    [
      "stream_error",
      failure("stream_error"),
      0,
      half,
      { ...none, action: "failover", circuitFailure: true, retrySame: true },
    ],
    [
      "timeout",
      failure("timeout"),
      0,
      half,
      { ...none, action: "failover", circuitFailure: true, retrySame: false },
    ],
    [
      "stream_stall",
      failure("stream_stall"),
      0,
      half,
      { ...none, action: "failover", circuitFailure: true, retrySame: false },
    ],
    // disable
    [
      "auth",
      failure("auth", null, 401),
      0,
      half,
      { ...none, action: "failover", disable: "rejected key (HTTP 401): upstream said no" },
    ],
    [
      "auth without status",
      failure("auth"),
      0,
      half,
      { ...none, action: "failover", disable: "rejected key (HTTP ?): upstream said no" },
    ],
    [
      "not_found",
      failure("not_found", null, 404),
      0,
      half,
      { ...none, action: "failover", disable: "model not found (HTTP 404): upstream said no" },
    ],
    // caller's problem
    ["context_length", failure("context_length", null, 400), 0, half, { ...none, action: "larger_context" }],
    ["bad_request", failure("bad_request", null, 400), 0, half, { ...none, action: "return" }],
    ["aborted", failure("aborted"), 0, half, { ...none, action: "return" }],
    // llmux could not send it: the caller's, and nothing touches the deployment
    ["local", failure("local", null, 400), 0, half, { ...none, action: "return" }],
    ["local ignores a signal", failure("local", 9_000, 400), 3, half, { ...none, action: "return" }],
  ])("%s", (_name, input, level, rng, expected) => {
    expect(decide(input, level, options, rng)).toEqual(expected);
  });

  it("respects custom options", () => {
    const custom = resolveEngineOptions({
      failure: { backoffBaseMs: 100, backoffMaxMs: 500, backoffJitter: 0, minCooldownMs: 250 },
    }).failure;
    const ms = [0, 1, 2, 3, 4].map(
      (level) => decide(failure("rate_limited"), level, custom, high).cooldown?.ms,
    );
    expect(ms).toEqual([250, 250, 400, 500, 500]);
  });

  it("every FailureKind has a decision", () => {
    const kinds: FailureKind[] = [
      "rate_limited",
      "quota_exhausted",
      "overloaded",
      "server_error",
      "network",
      "timeout",
      "auth",
      "not_found",
      "context_length",
      "bad_request",
      "stream_cut",
      "stream_stall",
      "stream_error",
      "aborted",
      "local",
    ];
    const actions = kinds.map((kind) => decide(failure(kind), 0, options, half).action);
    expect(actions).toEqual([
      "failover",
      "failover",
      "failover",
      "failover",
      "failover",
      "failover",
      "failover",
      "failover",
      "larger_context",
      "return",
      "failover",
      "failover",
      "failover",
      "return",
      "return",
    ]);
  });
});
