import type { HeaderMap, RateLimitReading, RateLimitReport } from "../types/index.js";
import { parseDuration } from "./duration.js";

/** One limit a provider reports (requests, tokens, …): its size, what is left, when it is full again (epoch ms). */
export type RateLimitDimension = RateLimitReading;

/** The remaining quota a provider reported in one response's headers. */
export type RateLimitSnapshot = RateLimitReport;

/** Header names of one dimension, built once. */
interface DimensionHeaders {
  limit: string;
  remaining: string;
  reset: string;
}

function openaiHeaders(dimension: string): DimensionHeaders {
  return {
    limit: `x-ratelimit-limit-${dimension}`,
    remaining: `x-ratelimit-remaining-${dimension}`,
    reset: `x-ratelimit-reset-${dimension}`,
  };
}

function anthropicHeaders(dimension: string): DimensionHeaders {
  return {
    limit: `anthropic-ratelimit-${dimension}-limit`,
    remaining: `anthropic-ratelimit-${dimension}-remaining`,
    reset: `anthropic-ratelimit-${dimension}-reset`,
  };
}

const openai = { requests: openaiHeaders("requests"), tokens: openaiHeaders("tokens") };
const anthropic = {
  requests: anthropicHeaders("requests"),
  tokens: anthropicHeaders("tokens"),
  inputTokens: anthropicHeaders("input-tokens"),
  outputTokens: anthropicHeaders("output-tokens"),
};

const plainNumber = /^\d+(?:\.\d+)?$/;
/** Below this a bare number is a delay in seconds, above it epoch seconds (2001-09-09). */
const epochSecondsFloor = 1e9;

function numberOf(value: string | undefined): number | null {
  if (value === undefined) return null;
  const trimmed = value.trim();
  if (trimmed === "") return null;
  const parsed = Number(trimmed);
  return Number.isFinite(parsed) ? parsed : null;
}

/**
 * OpenAI/Groq send Go durations (`1s`, `6m0s`, `20ms`); some compatible vendors send a bare number of
 * seconds (or epoch seconds), which is accepted too.
 */
function durationResetAt(value: string | undefined, now: number): number | null {
  if (value === undefined) return null;
  const trimmed = value.trim();
  if (plainNumber.test(trimmed)) {
    const seconds = Number(trimmed);
    return seconds >= epochSecondsFloor ? Math.round(seconds * 1000) : now + Math.round(seconds * 1000);
  }
  const ms = parseDuration(trimmed);
  return ms === null ? null : now + ms;
}

const rfc3339Date = /^\d{4}-\d{2}-\d{2}T/i;

/** Anthropic sends RFC 3339 timestamps. */
function timestampResetAt(value: string | undefined): number | null {
  if (value === undefined) return null;
  const trimmed = value.trim();
  if (!rfc3339Date.test(trimmed)) return null;
  const parsed = Date.parse(trimmed);
  return Number.isNaN(parsed) ? null : parsed;
}

function dimension(
  headers: HeaderMap,
  names: DimensionHeaders,
  resetAt: number | null,
): RateLimitDimension | null {
  const limit = numberOf(headers[names.limit]);
  const remaining = numberOf(headers[names.remaining]);
  if (limit === null && remaining === null && resetAt === null) return null;
  return { limit, remaining, resetAt };
}

function openaiDimension(
  headers: HeaderMap,
  names: DimensionHeaders,
  now: number,
): RateLimitDimension | null {
  return dimension(headers, names, durationResetAt(headers[names.reset], now));
}

function anthropicDimension(headers: HeaderMap, names: DimensionHeaders): RateLimitDimension | null {
  return dimension(headers, names, timestampResetAt(headers[names.reset]));
}

/**
 * The remaining quota a provider reports in its response headers: OpenAI/Groq
 * `x-ratelimit-{limit,remaining,reset}-{requests,tokens}` (resets as durations) and Anthropic
 * `anthropic-ratelimit-{requests,tokens,input-tokens,output-tokens}-{limit,remaining,reset}` (resets as
 * RFC 3339 timestamps). Header names must be lower-case. Null when no rate-limit header is present
 * (or none could be read). Groq's `requests` are per day and `tokens` per minute.
 */
export function rateLimitSnapshot(headers: HeaderMap, now: number): RateLimitSnapshot | null {
  const requests =
    openaiDimension(headers, openai.requests, now) ?? anthropicDimension(headers, anthropic.requests);
  const tokens =
    openaiDimension(headers, openai.tokens, now) ?? anthropicDimension(headers, anthropic.tokens);
  const inputTokens = anthropicDimension(headers, anthropic.inputTokens);
  const outputTokens = anthropicDimension(headers, anthropic.outputTokens);
  if (requests === null && tokens === null && inputTokens === null && outputTokens === null) return null;
  return { requests, tokens, inputTokens, outputTokens, at: now };
}
