import type { HeaderMap } from "../types/index.js";
import { parseDuration } from "./duration.js";

/** The most we believe a provider asking us to wait (a day); longer values are clamped. */
const maxDelayMs = 86_400_000;

function clamp(ms: number): number {
  return Math.min(maxDelayMs, Math.max(0, Math.round(ms)));
}

/** An HTTP date (IMF-fixdate, RFC 9110), the only date form `retry-after` allows. */
const httpDate = /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/;

/** `retry-after`: delay-seconds or an HTTP date. */
function parseRetryAfter(value: string, now: number): number | null {
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return clamp(Number(trimmed) * 1000);
  if (!httpDate.test(trimmed)) return null;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? null : clamp(date - now);
}

/** Anthropic's RFC 3339 reset timestamps. */
function parseTimestamp(value: string, now: number): number | null {
  const date = Date.parse(value.trim());
  return Number.isNaN(date) ? null : clamp(date - now);
}

interface Dimension {
  remaining: number | null;
  resetMs: number | null;
}

/**
 * Picks the wait from reset headers of several limit dimensions: the dimensions that are exhausted
 * (remaining 0) bind, so take the longest of those; when none says it is exhausted, the shortest
 * reset is the most likely to unblock us.
 */
function waitFromDimensions(dimensions: Dimension[]): number | null {
  const withReset = dimensions.filter(
    (d): d is { remaining: number | null; resetMs: number } => d.resetMs !== null,
  );
  if (withReset.length === 0) return null;
  const exhausted = withReset.filter((d) => d.remaining !== null && d.remaining <= 0);
  if (exhausted.length > 0) return Math.max(...exhausted.map((d) => d.resetMs));
  return Math.min(...withReset.map((d) => d.resetMs));
}

function numberHeader(headers: HeaderMap, name: string): number | null {
  const value = headers[name];
  if (value === undefined) return null;
  const parsed = Number(value);
  return Number.isFinite(parsed) ? parsed : null;
}

/**
 * How long the provider asks us to wait before using this key again, from the response headers:
 * `retry-after-ms`, `retry-after` (seconds or HTTP date), OpenAI/Groq `x-ratelimit-reset-requests`
 * and `-tokens` (durations), Anthropic `anthropic-ratelimit-*-reset` (RFC 3339). Null when none says.
 * Header names must be lower-case.
 */
export function retryDelayFromHeaders(headers: HeaderMap, now: number): number | null {
  const retryAfterMs = headers["retry-after-ms"];
  if (retryAfterMs !== undefined && /^\d+(\.\d+)?$/.test(retryAfterMs.trim()))
    return clamp(Number(retryAfterMs));
  const retryAfter = headers["retry-after"];
  if (retryAfter !== undefined) {
    const parsed = parseRetryAfter(retryAfter, now);
    if (parsed !== null) return parsed;
  }
  const openai = waitFromDimensions(
    ["requests", "tokens"].map((dimension) => {
      const reset = headers[`x-ratelimit-reset-${dimension}`];
      return {
        remaining: numberHeader(headers, `x-ratelimit-remaining-${dimension}`),
        resetMs: reset === undefined ? null : parseDuration(reset),
      };
    }),
  );
  if (openai !== null) return clamp(openai);
  const anthropic = waitFromDimensions(
    ["requests", "tokens", "input-tokens", "output-tokens"].map((dimension) => {
      const reset = headers[`anthropic-ratelimit-${dimension}-reset`];
      return {
        remaining: numberHeader(headers, `anthropic-ratelimit-${dimension}-remaining`),
        resetMs: reset === undefined ? null : parseTimestamp(reset, now),
      };
    }),
  );
  return anthropic;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** OpenAI writes the wait into the message: "Please try again in 6.132s" / "in 20ms" / "in 1m30s". */
const tryAgainIn = /try again in\s+((?:\d+(?:\.\d+)?(?:h|ms|m|s))+)/i;

/**
 * How long the provider asks us to wait, from an error body: Gemini's
 * `error.details[].retryDelay` of a `google.rpc.RetryInfo` (also when the body is wrapped in an array)
 * and OpenAI's "Please try again in 1.5s" message. Null when the body does not say.
 */
export function retryDelayFromBody(body: unknown): number | null {
  const root = Array.isArray(body) ? body[0] : body;
  if (!isRecord(root) || !isRecord(root["error"])) return null;
  const error = root["error"];
  const details = error["details"];
  if (Array.isArray(details)) {
    for (const detail of details) {
      if (!isRecord(detail)) continue;
      const type = detail["@type"];
      const delay = detail["retryDelay"];
      if (typeof delay === "string" && (typeof type !== "string" || type.endsWith("google.rpc.RetryInfo"))) {
        const parsed = parseDuration(delay);
        if (parsed !== null) return clamp(parsed);
      }
    }
  }
  const message = error["message"];
  if (typeof message === "string") {
    const match = tryAgainIn.exec(message);
    const parsed = match?.[1] === undefined ? null : parseDuration(match[1]);
    if (parsed !== null) return clamp(parsed);
  }
  return null;
}
