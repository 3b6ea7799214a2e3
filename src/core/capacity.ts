import type { HeaderMap, Usage } from "../types/index.js";
import { rateLimitSnapshot } from "../util/index.js";
import type { AttemptWin, LoopDeps } from "./attempt-loop.js";
import type { TokenEstimate } from "./estimate.js";

/**
 * After an answer: calibrates the prompt estimate for the model, settles the tokens charged up front
 * with the real usage, and remembers the quota the provider reported in its headers (for status,
 * metrics and scheduling).
 */
export function settleCapacity(
  deps: LoopDeps,
  win: AttemptWin<unknown>,
  usage: Usage | null,
  headers: HeaderMap | null,
  now: number,
  estimate: TokenEstimate | null,
): void {
  if (usage && estimate)
    deps.calibration.observe(win.deployment.model, estimate.prompt, usage.prompt_tokens ?? 0);
  const { deployment } = win;
  if (win.chargedTokens > 0 && usage) {
    const actual = usage.total_tokens ?? (usage.prompt_tokens ?? 0) + (usage.completion_tokens ?? 0);
    // Providers charge the requested max_tokens when they admit a request and do not give it back,
    // so only a larger real usage is settled; a smaller one keeps the charge (no upstream 429s).
    if (actual > win.chargedTokens) {
      deps.store.adjustTokens(deployment.id, now, actual - win.chargedTokens, deps.options.capacityWindowMs);
    }
  }
  if (headers) {
    const snapshot = rateLimitSnapshot(headers, now);
    if (snapshot)
      deps.store.recordQuota(deployment.id, {
        requests: snapshot.requests,
        tokens: snapshot.tokens,
        // Requests this node starts after this one began are not in the report: count from its start.
        at: win.attempt.startedAt,
      });
  }
}
