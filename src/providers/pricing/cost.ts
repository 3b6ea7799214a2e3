import type { Usage } from "../../types/index.js";
import { ratesFor, type Price } from "./price.js";

/**
 * Money is counted in whole nano-dollars (1e-9 USD): a token at the cheapest list prices is worth
 * a few of them, sums stay exact integers (up to $9 million), and `nanoToUsd` gives the double
 * nearest the exact decimal (6 000 000 nano-USD is exactly `0.006`).
 */
export function usdToNano(usd: number): number {
  return Math.round(usd * 1e9);
}

export function nanoToUsd(nano: number): number {
  return nano / 1e9;
}

/** A request's tokens split the way they are priced. */
export interface TokenCounts {
  /** Every prompt token (`prompt_tokens`); picks the tier. */
  prompt: number;
  /** Prompt tokens charged at the input rate (neither cache reads nor writes). */
  input: number;
  cachedInput: number;
  cacheWrite: number;
  /** Completion tokens, reasoning included. */
  output: number;
}

/** What a request cost, in USD (each part and the total are whole nano-dollars). */
export interface Cost {
  usd: number;
  nanoUsd: number;
  input: number;
  cachedInput: number;
  cacheWrite: number;
  output: number;
}

function count(value: unknown): number {
  return typeof value === "number" && Number.isFinite(value) && value > 0 ? value : 0;
}

/**
 * Splits OpenAI usage into priced parts: `prompt_tokens_details.cached_tokens` are cache reads;
 * cache writes are read where a provider reports them (`prompt_tokens_details.cache_write_tokens`,
 * OpenRouter's; `cache_creation_input_tokens`, Anthropic's, in the details or on the usage). Both
 * are parts of `prompt_tokens` (the Anthropic mapper adds them in), clamped so they never exceed it.
 * `completion_tokens` already includes `completion_tokens_details.reasoning_tokens`.
 */
export function tokenCountsOf(usage: Usage): TokenCounts {
  const prompt = count(usage.prompt_tokens);
  const details = usage.prompt_tokens_details ?? {};
  const cachedInput = Math.min(prompt, count(details.cached_tokens));
  const written =
    count(details["cache_write_tokens"]) ||
    count(details["cache_creation_input_tokens"]) ||
    count(usage["cache_creation_input_tokens"]);
  const cacheWrite = Math.min(prompt - cachedInput, written);
  return {
    prompt,
    input: prompt - cachedInput - cacheWrite,
    cachedInput,
    cacheWrite,
    output: count(usage.completion_tokens),
  };
}

/** Whole nano-dollars of `tokens` at `perMillion` USD per 1M tokens. */
function nano(tokens: number, perMillion: number): number {
  return Math.round(tokens * perMillion * 1000);
}

/** What `tokens` cost at `price` (the tier is chosen by the whole prompt). */
export function costOfCounts(price: Price, tokens: TokenCounts): Cost {
  const rates = ratesFor(price, tokens.prompt);
  const parts = {
    input: nano(tokens.input, rates.input),
    cachedInput: nano(tokens.cachedInput, rates.cachedInput),
    cacheWrite: nano(tokens.cacheWrite, rates.cacheWrite),
    output: nano(tokens.output, rates.output),
  };
  const total = parts.input + parts.cachedInput + parts.cacheWrite + parts.output;
  return {
    usd: nanoToUsd(total),
    nanoUsd: total,
    input: nanoToUsd(parts.input),
    cachedInput: nanoToUsd(parts.cachedInput),
    cacheWrite: nanoToUsd(parts.cacheWrite),
    output: nanoToUsd(parts.output),
  };
}

/** What a request cost, from the usage the provider reported. */
export function costOf(price: Price, usage: Usage): Cost {
  return costOfCounts(price, tokenCountsOf(usage));
}

/**
 * What a request will cost at most before it is sent: `prompt` tokens (an estimate) all at the full
 * input rate (no cache hit assumed) and `output` tokens (its `max_tokens`, or a default).
 */
export function estimateCost(price: Price, tokens: { prompt: number; output: number }): Cost {
  const prompt = Math.max(0, Math.ceil(tokens.prompt));
  const output = Math.max(0, Math.ceil(tokens.output));
  return costOfCounts(price, { prompt, input: prompt, cachedInput: 0, cacheWrite: 0, output });
}
