import type { ChatRequest } from "../../types/index.js";
import { estimateRequestTokens } from "../estimate.js";

/** A request's expected prompt tokens and the most output it may produce. */
export interface TokenEstimate {
  prompt: number;
  output: number;
}

/** ModelMuxer's `ESTIMATOR_DEFAULT_TOKENS_IN` / `ESTIMATOR_DEFAULT_TOKENS_OUT`. */
export const defaultTokenEstimate: TokenEstimate = { prompt: 400, output: 300 };

export interface SpendEstimateOptions {
  /** The deployment's calibration factor (`TokenCalibration.factor(model)`); default 1. */
  calibration?: number;
  /** Used when the prompt cannot be measured (no text) and when the request sets no `max_tokens`. */
  defaults?: TokenEstimate;
}

/**
 * The tokens a chat request is estimated at before routing: the quick prompt estimate corrected by
 * the deployment's calibration (or the default prompt when there is nothing to measure), and
 * `max_completion_tokens` / `max_tokens` or the default output, times `n`.
 */
export function spendEstimate(request: ChatRequest, options: SpendEstimateOptions = {}): TokenEstimate {
  const defaults = options.defaults ?? defaultTokenEstimate;
  const tokens = estimateRequestTokens(request, defaults.output);
  const prompt = tokens.prompt > 0 ? Math.ceil(tokens.prompt * (options.calibration ?? 1)) : defaults.prompt;
  return { prompt, output: tokens.output };
}
