import type { Clock, Failure, HeaderMap, Rng, StateStore } from "../types/index.js";
import type { EngineEvents } from "./events.js";
import type { ResolvedEngineOptions } from "./options.js";
import type { Deployment } from "./plan.js";
import type { TokenCalibration } from "./calibration.js";
import type { QuotaGate } from "./quota-gate.js";
import type { Selector } from "./selector.js";
import type { Ticket, WaitQueue } from "./wait-queue.js";

/** What one attempt gets: its abort signal and when it started. */
export interface AttemptHandle {
  readonly signal: AbortSignal;
  readonly controller: AbortController;
  readonly startedAt: number;
  /** `performance.now()` at the start, for precise durations. */
  readonly startedHr: number;
  readonly number: number;
  /** Response headers, once the target has them (set by the run function). */
  headers: HeaderMap | null;
}

/** The answer of a successful attempt. */
export interface AttemptWin<T> {
  value: T;
  /** Tokens charged to the deployment's tpm budget up front (reconcile with the real usage). */
  chargedTokens: number;
  deployment: Deployment;
  attempt: AttemptHandle;
  /** Ends the attempt's bookkeeping: unlinks the caller's signal. Streams call it when they end. */
  release: () => void;
}

/** Everything the loop needs from the engine. */
export interface LoopDeps {
  readonly store: StateStore;
  readonly selector: Selector;
  readonly events: EngineEvents;
  readonly clock: Clock;
  readonly rng: Rng;
  readonly options: ResolvedEngineOptions;
  readonly gate: QuotaGate;
  /** Per-model correction of the quick prompt-token estimate. */
  readonly calibration: TokenCalibration;
  /** The fair wait queue of a group. */
  readonly queueFor: (group: string) => WaitQueue;
}

/** Runs one attempt against a deployment; throws on failure. */
export type AttemptRunner<T> = (deployment: Deployment, attempt: AttemptHandle) => Promise<T>;

/** Per-request memory of which deployments not to try again. */
export interface Exclusions {
  excluded: Set<string>;
  retries: Map<string, number>;
  /** Excluded after a transient failure, to be tried once more when nothing else is left. */
  pendingRetry: Set<string>;
  /** After a context-length failure: only deployments whose window is larger than this. */
  minContextWindow: number | null;
  contextFailure: Failure | null;
  /** The last "this provider cannot express the request" failure: returned when nothing else can serve it. */
  unsupportedFailure: Failure | null;
  contextModels: Set<string>;
  lastFailure: Failure | null;
  /** Deployments whose configured capacity is used up, with when it frees (checked against the clock). */
  full: Map<string, number>;
}

/** A request's place in its group's wait queue, and when it started waiting. */
export interface WaitState {
  ticket: Ticket | null;
  since: number | null;
}
