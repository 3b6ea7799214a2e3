/** Bounds of the correction factor (the quick estimate is never off by more than this). */
const minFactor = 0.25;
const maxFactor = 4;
/** Weight of a new observation in the moving average. */
const learningRate = 0.2;

/**
 * Calibrates the quick prompt-token estimate per upstream model: after each answer the real
 * `prompt_tokens` is compared with the estimate, and an exponential moving average of the ratio
 * corrects later estimates for that model (tokenizers differ: code, CJK text and images are far
 * from 4 characters a token).
 */
export class TokenCalibration {
  readonly #factors = new Map<string, number>();

  /** The current correction factor for `model` (1 until it has seen an answer). */
  factor(model: string): number {
    return this.#factors.get(model) ?? 1;
  }

  /** Learns from one answer. */
  observe(model: string, estimatedPrompt: number, actualPrompt: number): void {
    if (estimatedPrompt <= 0 || actualPrompt <= 0) return;
    const ratio = Math.min(maxFactor, Math.max(minFactor, actualPrompt / estimatedPrompt));
    const previous = this.#factors.get(model);
    this.#factors.set(model, previous === undefined ? ratio : previous + learningRate * (ratio - previous));
  }

  clear(): void {
    this.#factors.clear();
  }
}
