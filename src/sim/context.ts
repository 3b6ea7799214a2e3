import type { FaultList } from "./faults.js";
import type { RateLimiter } from "./rate-limiter.js";
import type { SimModelOptions } from "./types.js";

/** Settings and state shared by the route handlers of one simulator. */
export interface SimContext {
  readonly chunks: number;
  /** The fixed answer text as pieces (the `answer` option), or null for the default text. */
  readonly text: readonly string[] | null;
  readonly chunkDelayMs: number;
  readonly requireKnownKeys: boolean;
  /** Wrap Gemini error bodies in a one-element array. */
  readonly geminiWrapErrorsInArray: boolean;
  readonly clock: () => number;
  readonly models: ReadonlyMap<string, SimModelOptions>;
  readonly faults: FaultList;
  readonly limiter: RateLimiter;
}
