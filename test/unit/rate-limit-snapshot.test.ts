import { describe, expect, it } from "vitest";
import type { HeaderMap } from "../../src/types/index.js";
import { rateLimitSnapshot, type RateLimitSnapshot } from "../../src/util/rate-limit-snapshot.js";

const now = Date.parse("2025-03-01T12:00:00.000Z");

const empty = { requests: null, tokens: null, inputTokens: null, outputTokens: null, at: now };

const cases: Array<{ name: string; headers: HeaderMap; expected: RateLimitSnapshot | null }> = [
  { name: "no headers", headers: {}, expected: null },
  {
    name: "unrelated headers only",
    headers: { "content-type": "application/json", "retry-after": "5" },
    expected: null,
  },
  {
    name: "OpenAI: all six headers",
    headers: {
      "x-ratelimit-limit-requests": "60",
      "x-ratelimit-limit-tokens": "150000",
      "x-ratelimit-remaining-requests": "59",
      "x-ratelimit-remaining-tokens": "149984",
      "x-ratelimit-reset-requests": "1s",
      "x-ratelimit-reset-tokens": "6m0s",
    },
    expected: {
      ...empty,
      requests: { limit: 60, remaining: 59, resetAt: now + 1000 },
      tokens: { limit: 150000, remaining: 149984, resetAt: now + 360_000 },
    },
  },
  {
    name: "Groq: fractional durations and milliseconds",
    headers: {
      "x-ratelimit-limit-requests": "14400",
      "x-ratelimit-remaining-requests": "14370",
      "x-ratelimit-reset-requests": "2m59.56s",
      "x-ratelimit-limit-tokens": "18000",
      "x-ratelimit-remaining-tokens": "17997",
      "x-ratelimit-reset-tokens": "7.66ms",
    },
    expected: {
      ...empty,
      requests: { limit: 14400, remaining: 14370, resetAt: now + 179_560 },
      tokens: { limit: 18000, remaining: 17997, resetAt: now + 8 },
    },
  },
  {
    name: "OpenAI: only tokens remaining",
    headers: { "x-ratelimit-remaining-tokens": "0" },
    expected: { ...empty, tokens: { limit: null, remaining: 0, resetAt: null } },
  },
  {
    name: "compatible vendor: bare seconds as reset",
    headers: { "x-ratelimit-remaining-requests": "3", "x-ratelimit-reset-requests": "30" },
    expected: { ...empty, requests: { limit: null, remaining: 3, resetAt: now + 30_000 } },
  },
  {
    name: "compatible vendor: epoch seconds as reset",
    headers: { "x-ratelimit-reset-requests": String(now / 1000 + 90) },
    expected: { ...empty, requests: { limit: null, remaining: null, resetAt: now + 90_000 } },
  },
  {
    name: "unreadable values count as absent",
    headers: {
      "x-ratelimit-remaining-requests": "lots",
      "x-ratelimit-limit-requests": "",
      "x-ratelimit-reset-requests": "soon",
    },
    expected: null,
  },
  {
    name: "unreadable reset keeps the numbers",
    headers: { "x-ratelimit-remaining-requests": " 12 ", "x-ratelimit-reset-requests": "soon" },
    expected: { ...empty, requests: { limit: null, remaining: 12, resetAt: null } },
  },
  {
    name: "Anthropic: all four dimensions",
    headers: {
      "anthropic-ratelimit-requests-limit": "50",
      "anthropic-ratelimit-requests-remaining": "49",
      "anthropic-ratelimit-requests-reset": "2025-03-01T12:00:01Z",
      "anthropic-ratelimit-tokens-limit": "90000",
      "anthropic-ratelimit-tokens-remaining": "89000",
      "anthropic-ratelimit-tokens-reset": "2025-03-01T12:00:06Z",
      "anthropic-ratelimit-input-tokens-limit": "40000",
      "anthropic-ratelimit-input-tokens-remaining": "39500",
      "anthropic-ratelimit-input-tokens-reset": "2025-03-01T12:00:03.500Z",
      "anthropic-ratelimit-output-tokens-limit": "8000",
      "anthropic-ratelimit-output-tokens-remaining": "0",
      "anthropic-ratelimit-output-tokens-reset": "2025-03-01T12:01:00+00:00",
    },
    expected: {
      requests: { limit: 50, remaining: 49, resetAt: now + 1000 },
      tokens: { limit: 90000, remaining: 89000, resetAt: now + 6000 },
      inputTokens: { limit: 40000, remaining: 39500, resetAt: now + 3500 },
      outputTokens: { limit: 8000, remaining: 0, resetAt: now + 60_000 },
      at: now,
    },
  },
  {
    name: "Anthropic: reset that is not a timestamp is ignored",
    headers: { "anthropic-ratelimit-requests-remaining": "4", "anthropic-ratelimit-requests-reset": "60" },
    expected: { ...empty, requests: { limit: null, remaining: 4, resetAt: null } },
  },
  {
    name: "Anthropic: only a reset",
    headers: { "anthropic-ratelimit-tokens-reset": "2025-03-01T12:00:10Z" },
    expected: { ...empty, tokens: { limit: null, remaining: null, resetAt: now + 10_000 } },
  },
  {
    name: "OpenAI headers win over Anthropic ones for the same dimension",
    headers: {
      "x-ratelimit-remaining-requests": "7",
      "anthropic-ratelimit-requests-remaining": "99",
      "anthropic-ratelimit-output-tokens-remaining": "5",
    },
    expected: {
      ...empty,
      requests: { limit: null, remaining: 7, resetAt: null },
      outputTokens: { limit: null, remaining: 5, resetAt: null },
    },
  },
];

describe("rateLimitSnapshot", () => {
  it.each(cases)("$name", ({ headers, expected }) => {
    expect(rateLimitSnapshot(headers, now)).toEqual(expected);
  });

  it("reads lower-case names only (callers lower-case them)", () => {
    expect(rateLimitSnapshot({ "X-RateLimit-Remaining-Requests": "3" }, now)).toBeNull();
  });
});
