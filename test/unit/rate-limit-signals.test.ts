import { describe, expect, it } from "vitest";
import type { HeaderMap } from "../../src/types/index.js";
import { parseDuration } from "../../src/util/duration.js";
import { retryDelayFromBody, retryDelayFromHeaders } from "../../src/util/rate-limit-signals.js";

const now = Date.parse("2025-03-01T12:00:00.000Z");
const day = 86_400_000;

/** An RFC 3339 timestamp `ms` after `now`. */
function at(ms: number): string {
  return new Date(now + ms).toISOString();
}

describe("parseDuration", () => {
  it.each<[string, number | null]>([
    ["1s", 1_000],
    ["6m0s", 360_000],
    ["20ms", 20],
    ["2m59.56s", 179_560],
    ["1h2m3s", 3_723_000],
    ["22s", 22_000],
    ["10.689924287s", 10_690],
    ["0s", 0],
    ["1.5h", 5_400_000],
    ["1500us", 2],
    ["1500µs", 2],
    ["2000000ns", 2],
    [" 7s ", 7_000],
    ["", null],
    ["   ", null],
    ["1.5", null],
    ["0", 0],
    ["s", null],
    ["1s2", null],
    ["soon", null],
    ["1 s", null],
    ["-1s", null],
    [".5s", null],
    ["1S", null],
    ["1d", null],
    ["x1s", null],
  ])("parseDuration(%j) = %j", (text, expected) => {
    expect(parseDuration(text)).toBe(expected);
  });
});

describe("retryDelayFromHeaders", () => {
  it.each<[string, HeaderMap, number | null]>([
    ["no headers", {}, null],
    ["unrelated headers", { "content-type": "application/json", "x-request-id": "abc" }, null],

    // retry-after-ms
    ["retry-after-ms integer", { "retry-after-ms": "1500" }, 1_500],
    ["retry-after-ms fractional (rounded)", { "retry-after-ms": "20.6" }, 21],
    ["retry-after-ms zero", { "retry-after-ms": "0" }, 0],
    ["retry-after-ms padded", { "retry-after-ms": " 250 " }, 250],

    // retry-after: seconds
    ["retry-after seconds", { "retry-after": "7" }, 7_000],
    ["retry-after fractional seconds", { "retry-after": "1.5" }, 1_500],
    ["retry-after zero", { "retry-after": "0" }, 0],
    ["retry-after padded", { "retry-after": " 3 " }, 3_000],

    // retry-after: HTTP date relative to now
    ["retry-after HTTP date 30 s ahead", { "retry-after": new Date(now + 30_000).toUTCString() }, 30_000],
    ["retry-after HTTP date 2 min ahead", { "retry-after": "Sat, 01 Mar 2025 12:02:00 GMT" }, 120_000],
    ["retry-after HTTP date in the past", { "retry-after": "Sat, 01 Mar 2025 11:59:00 GMT" }, 0],

    // x-ratelimit-reset-* (OpenAI, Groq)
    ["reset-requests 1s", { "x-ratelimit-reset-requests": "1s" }, 1_000],
    ["reset-tokens 6m0s", { "x-ratelimit-reset-tokens": "6m0s" }, 360_000],
    ["reset-tokens 20ms", { "x-ratelimit-reset-tokens": "20ms" }, 20],
    ["reset-requests 2m59.56s", { "x-ratelimit-reset-requests": "2m59.56s" }, 179_560],
    ["reset-requests 1h2m3s", { "x-ratelimit-reset-requests": "1h2m3s" }, 3_723_000],
    [
      "neither exhausted (no remaining): shortest reset",
      { "x-ratelimit-reset-requests": "1s", "x-ratelimit-reset-tokens": "6m0s" },
      1_000,
    ],
    [
      "neither exhausted (remaining > 0): shortest reset",
      {
        "x-ratelimit-remaining-requests": "10",
        "x-ratelimit-remaining-tokens": "5000",
        "x-ratelimit-reset-requests": "2m59.56s",
        "x-ratelimit-reset-tokens": "20ms",
      },
      20,
    ],
    [
      "tokens exhausted binds even though requests resets sooner",
      {
        "x-ratelimit-remaining-requests": "10",
        "x-ratelimit-remaining-tokens": "0",
        "x-ratelimit-reset-requests": "1s",
        "x-ratelimit-reset-tokens": "6m0s",
      },
      360_000,
    ],
    [
      "requests exhausted binds even though tokens resets sooner",
      {
        "x-ratelimit-remaining-requests": "0",
        "x-ratelimit-remaining-tokens": "100",
        "x-ratelimit-reset-requests": "1h2m3s",
        "x-ratelimit-reset-tokens": "20ms",
      },
      3_723_000,
    ],
    [
      "both exhausted: longest of them",
      {
        "x-ratelimit-remaining-requests": "0",
        "x-ratelimit-remaining-tokens": "0",
        "x-ratelimit-reset-requests": "2m59.56s",
        "x-ratelimit-reset-tokens": "6m0s",
      },
      360_000,
    ],
    [
      "exhausted dimension without a reset does not bind",
      {
        "x-ratelimit-remaining-requests": "0",
        "x-ratelimit-remaining-tokens": "5",
        "x-ratelimit-reset-tokens": "6m0s",
      },
      360_000,
    ],
    [
      "garbage reset ignored, the other one used",
      { "x-ratelimit-reset-requests": "soon", "x-ratelimit-reset-tokens": "20ms" },
      20,
    ],
    [
      "garbage remaining is treated as unknown",
      {
        "x-ratelimit-remaining-requests": "lots",
        "x-ratelimit-remaining-tokens": "9",
        "x-ratelimit-reset-requests": "1s",
        "x-ratelimit-reset-tokens": "6m0s",
      },
      1_000,
    ],

    // anthropic-ratelimit-*-reset (RFC 3339)
    ["anthropic requests reset", { "anthropic-ratelimit-requests-reset": at(30_000) }, 30_000],
    ["anthropic tokens reset", { "anthropic-ratelimit-tokens-reset": at(45_500) }, 45_500],
    ["anthropic input-tokens reset", { "anthropic-ratelimit-input-tokens-reset": at(12_000) }, 12_000],
    ["anthropic output-tokens reset", { "anthropic-ratelimit-output-tokens-reset": at(8_000) }, 8_000],
    ["anthropic reset in the past", { "anthropic-ratelimit-requests-reset": at(-5_000) }, 0],
    [
      "anthropic reset with offset time zone",
      { "anthropic-ratelimit-requests-reset": "2025-03-01T13:00:20+01:00" },
      20_000,
    ],
    [
      "anthropic none exhausted: shortest reset",
      {
        "anthropic-ratelimit-requests-remaining": "49",
        "anthropic-ratelimit-requests-reset": at(30_000),
        "anthropic-ratelimit-tokens-remaining": "1000",
        "anthropic-ratelimit-tokens-reset": at(5_000),
        "anthropic-ratelimit-input-tokens-remaining": "900",
        "anthropic-ratelimit-input-tokens-reset": at(7_000),
        "anthropic-ratelimit-output-tokens-remaining": "100",
        "anthropic-ratelimit-output-tokens-reset": at(9_000),
      },
      5_000,
    ],
    [
      "anthropic output-tokens exhausted binds",
      {
        "anthropic-ratelimit-requests-remaining": "49",
        "anthropic-ratelimit-requests-reset": at(1_000),
        "anthropic-ratelimit-output-tokens-remaining": "0",
        "anthropic-ratelimit-output-tokens-reset": at(40_000),
      },
      40_000,
    ],
    [
      "anthropic two exhausted: longest of them",
      {
        "anthropic-ratelimit-requests-remaining": "0",
        "anthropic-ratelimit-requests-reset": at(20_000),
        "anthropic-ratelimit-input-tokens-remaining": "0",
        "anthropic-ratelimit-input-tokens-reset": at(50_000),
        "anthropic-ratelimit-tokens-remaining": "10",
        "anthropic-ratelimit-tokens-reset": at(2_000),
      },
      50_000,
    ],

    // precedence
    [
      "retry-after-ms beats everything",
      {
        "retry-after-ms": "1234",
        "retry-after": "9",
        "x-ratelimit-reset-requests": "5s",
        "anthropic-ratelimit-requests-reset": at(60_000),
      },
      1_234,
    ],
    [
      "retry-after beats x-ratelimit and anthropic",
      {
        "retry-after": "9",
        "x-ratelimit-reset-requests": "5s",
        "anthropic-ratelimit-requests-reset": at(60_000),
      },
      9_000,
    ],
    [
      "x-ratelimit beats anthropic",
      { "x-ratelimit-reset-requests": "5s", "anthropic-ratelimit-requests-reset": at(60_000) },
      5_000,
    ],
    [
      "garbage retry-after-ms falls through to retry-after",
      { "retry-after-ms": "soon", "retry-after": "2" },
      2_000,
    ],
    [
      "garbage retry-after falls through to x-ratelimit",
      { "retry-after": "whenever", "x-ratelimit-reset-tokens": "20ms" },
      20,
    ],
    [
      "garbage x-ratelimit falls through to anthropic",
      { "x-ratelimit-reset-requests": "later", "anthropic-ratelimit-tokens-reset": at(3_000) },
      3_000,
    ],

    // garbage → null
    ["garbage retry-after-ms", { "retry-after-ms": "abc" }, null],
    ["negative retry-after-ms", { "retry-after-ms": "-5" }, null],
    ["garbage retry-after word", { "retry-after": "soon" }, null],
    ["garbage retry-after with unit", { "retry-after": "5s" }, null],
    ["garbage retry-after phrase", { "retry-after": "10 seconds" }, null],
    ["empty retry-after", { "retry-after": "" }, null],
    ["garbage x-ratelimit reset", { "x-ratelimit-reset-requests": "garbage" }, null],
    ["garbage anthropic reset", { "anthropic-ratelimit-requests-reset": "garbage" }, null],

    // clamping to one day
    ["retry-after-ms clamped", { "retry-after-ms": "90000000" }, day],
    ["retry-after seconds clamped", { "retry-after": "100000" }, day],
    ["retry-after date clamped", { "retry-after": new Date(now + 3 * day).toUTCString() }, day],
    ["x-ratelimit reset clamped", { "x-ratelimit-reset-requests": "48h" }, day],
    ["anthropic reset clamped", { "anthropic-ratelimit-tokens-reset": at(2 * day) }, day],
  ])("%s", (_name, headers, expected) => {
    expect(retryDelayFromHeaders(headers, now)).toBe(expected);
  });

  // V8's Date.parse accepts many non-dates ("-1" is year -1 / 2001, "foo 1" is 1 Jan 2001); only an
  // HTTP date counts, so garbage is null and does not shadow the x-ratelimit headers.
  it.each<[string, HeaderMap, number | null]>([
    ["retry-after -1 is garbage", { "retry-after": "-1" }, null],
    ["retry-after 'foo 1' is garbage", { "retry-after": "foo 1" }, null],
    ["retry-after '1.5.2' is garbage", { "retry-after": "1.5.2" }, null],
    [
      "garbage retry-after does not shadow x-ratelimit",
      { "retry-after": "-1", "x-ratelimit-reset-requests": "5s" },
      5_000,
    ],
  ])("%s", (_name, headers, expected) => {
    expect(retryDelayFromHeaders(headers, now)).toBe(expected);
  });
});

const retryInfo = (retryDelay: string): Record<string, unknown> => ({
  "@type": "type.googleapis.com/google.rpc.RetryInfo",
  retryDelay,
});

const geminiQuotaBody = {
  error: {
    code: 429,
    message:
      "You exceeded your current quota, please check your plan and billing details. Please retry in 21.8s.",
    status: "RESOURCE_EXHAUSTED",
    details: [
      {
        "@type": "type.googleapis.com/google.rpc.QuotaFailure",
        violations: [
          {
            quotaMetric: "generativelanguage.googleapis.com/generate_content_free_tier_requests",
            quotaId: "GenerateRequestsPerMinutePerProjectPerModel-FreeTier",
            quotaDimensions: { location: "global", model: "gemini-2.0-flash" },
            quotaValue: "15",
          },
        ],
      },
      { "@type": "type.googleapis.com/google.rpc.Help", links: [{ description: "Learn more", url: "x" }] },
      retryInfo("22s"),
    ],
  },
};

describe("retryDelayFromBody", () => {
  it.each<[string, unknown, number | null]>([
    ["Gemini RetryInfo 22s", geminiQuotaBody, 22_000],
    ["Gemini body wrapped in an array", [geminiQuotaBody], 22_000],
    ["Gemini fractional retryDelay", { error: { code: 429, details: [retryInfo("10.689924287s")] } }, 10_690],
    ["Gemini retryDelay 0s", { error: { details: [retryInfo("0s")] } }, 0],
    ["retryDelay without @type is accepted", { error: { details: [{ retryDelay: "3s" }] } }, 3_000],
    [
      "retryDelay of another detail type is ignored",
      { error: { details: [{ "@type": "type.googleapis.com/google.rpc.Other", retryDelay: "3s" }] } },
      null,
    ],
    ["garbage retryDelay", { error: { details: [retryInfo("soon")] } }, null],
    [
      "garbage retryDelay then valid one",
      { error: { details: [retryInfo("soon"), retryInfo("4s")] } },
      4_000,
    ],
    ["non-record details are skipped", { error: { details: [null, "x", 3, retryInfo("5s")] } }, 5_000],
    ["RetryInfo clamped to one day", { error: { details: [retryInfo("100000s")] } }, day],
    [
      "RetryInfo beats the message",
      { error: { message: "Please try again in 1s", details: [retryInfo("9s")] } },
      9_000,
    ],

    // OpenAI message
    [
      "OpenAI try again in 6.132s",
      {
        error: {
          message:
            "Rate limit reached for gpt-4o in organization org-x on tokens per min (TPM): Limit 30000, Used 30000, Requested 3066. Please try again in 6.132s. Visit https://platform.openai.com/account/rate-limits to learn more.",
          type: "tokens",
          param: null,
          code: "rate_limit_exceeded",
        },
      },
      6_132,
    ],
    ["OpenAI try again in 20ms", { error: { message: "Please try again in 20ms." } }, 20],
    ["OpenAI try again in 1m30s", { error: { message: "Please try again in 1m30s." } }, 90_000],
    ["Groq try again in 2m59.56s", { error: { message: "Please try again in 2m59.56s. Visit" } }, 179_560],
    ["case-insensitive", { error: { message: "TRY AGAIN IN 2s" } }, 2_000],
    ["message clamped to one day", { error: { message: "Please try again in 30h." } }, day],
    ["message wrapped in an array", [{ error: { message: "Please try again in 5s" } }], 5_000],
    ["message without a wait", { error: { message: "Rate limit reached. Please try again later." } }, null],
    ["message with words instead of a unit", { error: { message: "Please try again in 5 seconds" } }, null],

    // not a signal
    ["null", null, null],
    ["undefined", undefined, null],
    ["string body", "Please try again in 5s", null],
    ["empty object", {}, null],
    ["error is a string", { error: "Please try again in 5s" }, null],
    ["bare message without error", { message: "Please try again in 5s" }, null],
    ["empty array", [], null],
    ["details not an array", { error: { details: { retryDelay: "5s" } } }, null],
  ])("%s", (_name, body, expected) => {
    expect(retryDelayFromBody(body)).toBe(expected);
  });
});
