import type { PacingScenario } from "./pacing-loop.js";

/** The provider shapes the pacing tests run against (see pacing.test.ts). */
const minute = 60_000;
export type Shape = Omit<PacingScenario, "gates" | "load" | "seed">;

const timing = {
  durationMs: 10 * minute,
  tokensPerRequest: [200, 1_800] as [number, number],
  toAdmission: [10, 150] as [number, number],
  toAnswer: [200, 2_000] as [number, number],
  maxWaitMs: 3_000,
};

/** Anthropic: requests bind, the bucket is a quarter of the limit, resets to the second. */
export const anthropicRequests: Shape = {
  ...timing,
  style: "anthropic",
  requests: { limit: 600, windowMs: minute, burst: 0.25 },
  tokens: { limit: 10_000_000, windowMs: minute, burst: 0.25 },
};
/** OpenAI: tokens bind; the provider charges ±10 % of llmux's estimate. */
export const openaiTokens: Shape = {
  ...timing,
  style: "openai",
  requests: { limit: 10_000, windowMs: minute, burst: 1 },
  tokens: { limit: 120_000, windowMs: minute, burst: 1 },
  chargeError: [0.9, 1.1],
};
/** Anthropic: tokens bind in a quarter-size bucket, ±10 % charges. */
export const anthropicTokens: Shape = {
  ...timing,
  style: "anthropic",
  requests: { limit: 1_000, windowMs: minute, burst: 0.25 },
  tokens: { limit: 200_000, windowMs: minute, burst: 0.25 },
  chargeError: [0.9, 1.1],
};
/** No headers at all (Gemini, some compatible servers): only 429s with a Retry-After in seconds. */
export const headerless: Shape = {
  ...timing,
  style: "none",
  requests: { limit: 300, windowMs: minute, burst: 0.5 },
};
