import type { Clock, Rng, StateStore } from "../../types/index.js";
import type { TokenCalibration } from "../calibration.js";
import type { CapacityGate } from "../capacity-gate.js";
import type { Deadlines } from "../deadlines.js";
import type { EngineEvents } from "../events.js";
import type { ResolvedEngineOptions } from "../options.js";
import type { Selector } from "../selector.js";
import type { WaitQueue } from "../wait-queue.js";
import type { FirstTokenTimes } from "./hedge.js";

/** The parts of an engine every request session uses. */
export interface EngineParts {
  readonly store: StateStore;
  readonly selector: Selector;
  readonly events: EngineEvents;
  readonly clock: Clock;
  readonly rng: Rng;
  readonly options: ResolvedEngineOptions;
  readonly capacity: CapacityGate;
  /** Per-model correction of the quick prompt-token estimate. */
  readonly calibration: TokenCalibration;
  /** Every attempt timeout, on one timer. */
  readonly deadlines: Deadlines;
  /** The fair wait queue of a group. */
  readonly queueFor: (group: string) => WaitQueue;
  /** Deployments learned to reject an assistant prefill (400): a recovery regenerates there instead. */
  readonly noPrefill: Set<string>;
  /** Context windows learned from context-length errors, by deployment id. */
  readonly windows: Map<string, number>;
  /** Observed time to first token per deployment: the hedge delay. */
  readonly firstTokens: FirstTokenTimes;
}
