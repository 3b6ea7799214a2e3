/** The words of rate-limit errors: OpenAI's error message and type, Anthropic's unit names. */
import { formatGoDuration } from "./duration.js";
import type { LimitDimension } from "./limit-owner.js";
import { keyLabel, type Admission } from "./rate-limiter.js";

type Rejection = Extract<Admission, { admitted: false }>;

const OPENAI_NAMES: Readonly<Record<LimitDimension, string>> = {
  requests: "requests per min (RPM)",
  tokens: "tokens per min (TPM)",
  "input-tokens": "input tokens per min (ITPM)",
  "output-tokens": "output tokens per min (OTPM)",
  "requests-per-day": "requests per day (RPD)",
  "tokens-per-day": "tokens per day (TPD)",
};

/** OpenAI's error `type` of a 429: `requests` or `tokens`. */
export function openAiErrorType(dimension: LimitDimension): "requests" | "tokens" {
  return dimension === "requests" || dimension === "requests-per-day" ? "requests" : "tokens";
}

/**
 * OpenAI's 429 message, e.g. `Rate limit reached for requests per min (RPM) on key k1: Limit 2, Used 2,
 * Requested 1. Please try again in 600ms.`; for an org's keys or per-model limits, as OpenAI words it:
 * `Rate limit reached for gpt-4.1 in organization acme on tokens per min (TPM): Limit …`. A request that
 * can never fit is `Request too large for …: Limit 100, Requested 150.`
 */
export function openAiLimitMessage(rejection: Rejection): string {
  const { state, dimension, limit, used, requested, tooLarge, retryMs } = rejection;
  const name = OPENAI_NAMES[dimension];
  const { org, key } = state.owner;
  const head = tooLarge ? "Request too large for" : "Rate limit reached for";
  const subject =
    org === undefined && state.model === undefined
      ? `${name} on key ${keyLabel(key)}`
      : `${state.model ?? "all models"} in organization ${org ?? keyLabel(key)} on ${name}`;
  const counts = tooLarge
    ? `Limit ${limit}, Requested ${requested}.`
    : `Limit ${limit}, Used ${used}, Requested ${requested}.`;
  return `${head} ${subject}: ${counts} Please try again in ${formatGoDuration(retryMs)}.`;
}

/** Anthropic's wording of a limit: `requests per minute`, `input tokens per day`, … */
export function anthropicLimitUnit(dimension: LimitDimension): string {
  const units: Readonly<Record<LimitDimension, string>> = {
    requests: "requests per minute",
    tokens: "tokens per minute",
    "input-tokens": "input tokens per minute",
    "output-tokens": "output tokens per minute",
    "requests-per-day": "requests per day",
    "tokens-per-day": "tokens per day",
  };
  return units[dimension];
}
