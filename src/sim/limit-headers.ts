/**
 * Rate-limit response headers as each provider sends them, from the limiter's state (see `LimitState`):
 * OpenAI/Groq `x-ratelimit-*` with Go-duration resets, Anthropic `anthropic-ratelimit-*` with RFC 3339
 * resets; `retry-after` on 429s. Gemini sends none.
 */
import { formatGoDuration } from "./duration.js";
import type { LimitState, MeterReport } from "./rate-limiter.js";

/** An RFC 3339 timestamp, rounded up to the second: `2025-10-25T12:01:00Z`. */
export function rfc3339(ms: number): string {
  return new Date(Math.ceil((ms - 1e-6) / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** `retry-after` in whole seconds, rounded up. */
function retryAfterSeconds(retryMs: number): string {
  return String(Math.ceil(retryMs / 1000));
}

/**
 * OpenAI's headers: `x-ratelimit-{limit,remaining,reset}-{requests,tokens}` for the per-minute request and
 * token limits (reset: the time until the window ends or the bucket is full again, as a Go duration such
 * as `1s`, `6m0s`, `20ms`, `1m2.5s`), and with `retryMs` (a 429) `retry-after` in whole seconds and
 * `retry-after-ms`. Nothing for keys without limits; less per the key's `rateLimitHeaders`.
 */
export function openAiLimitHeaders(state: LimitState | undefined, retryMs?: number): Record<string, string> {
  const headers: Record<string, string> = {};
  if (state === undefined || state.headers === "none") return headers;
  if (state.headers === "all") {
    for (const dimension of ["requests", "tokens"] as const) {
      const report = state.meters[dimension];
      if (report === undefined) continue;
      headers[`x-ratelimit-limit-${dimension}`] = String(report.limit);
      headers[`x-ratelimit-remaining-${dimension}`] = String(report.remaining);
      headers[`x-ratelimit-reset-${dimension}`] = formatGoDuration(report.resetMs);
    }
  }
  if (retryMs !== undefined) {
    headers["retry-after"] = retryAfterSeconds(retryMs);
    if (state.headers === "all") headers["retry-after-ms"] = String(retryMs);
  }
  return headers;
}

/** Anthropic's `tokens-*`: the `tpm` limit, else the input or output limit with the fewest tokens left. */
function anthropicTokens(state: LimitState): MeterReport | undefined {
  const { tokens, "input-tokens": input, "output-tokens": output } = state.meters;
  if (tokens !== undefined) return tokens;
  if (input === undefined || output === undefined) return input ?? output;
  return output.remaining < input.remaining ? output : input;
}

/**
 * Anthropic's headers: `anthropic-ratelimit-{requests,tokens,input-tokens,output-tokens}-{limit,remaining,reset}`
 * (reset: when the limit is full again, RFC 3339 rounded up to the second) for the per-minute limits the owner
 * has, and with `retryMs` (a 429) `retry-after` in whole seconds. Less per the key's `rateLimitHeaders`.
 */
export function anthropicLimitHeaders(
  state: LimitState | undefined,
  retryMs?: number,
): Record<string, string> {
  const headers: Record<string, string> = {};
  if (state === undefined || state.headers === "none") return headers;
  if (state.headers === "all") {
    const reports: ReadonlyArray<[string, MeterReport | undefined]> = [
      ["requests", state.meters.requests],
      ["tokens", anthropicTokens(state)],
      ["input-tokens", state.meters["input-tokens"]],
      ["output-tokens", state.meters["output-tokens"]],
    ];
    for (const [name, report] of reports) {
      if (report === undefined) continue;
      headers[`anthropic-ratelimit-${name}-limit`] = String(report.limit);
      headers[`anthropic-ratelimit-${name}-remaining`] = String(report.remaining);
      headers[`anthropic-ratelimit-${name}-reset`] = rfc3339(state.now + report.resetMs);
    }
  }
  if (retryMs !== undefined) headers["retry-after"] = retryAfterSeconds(retryMs);
  return headers;
}
