import type { CircuitState } from "./state.js";
import type { FailureKind } from "./failure.js";
import type { Usage } from "./openai.js";

/** One reported limit: its size, what is left, and when it is full again (epoch ms). */
export interface RateLimitReading {
  limit: number | null;
  remaining: number | null;
  resetAt: number | null;
}

/** The rate limits of one answer's headers (OpenAI `x-ratelimit-*`, Anthropic `anthropic-ratelimit-*`). */
export interface RateLimitReport {
  requests: RateLimitReading | null;
  tokens: RateLimitReading | null;
  inputTokens: RateLimitReading | null;
  outputTokens: RateLimitReading | null;
  at: number;
}

/** Events the engine publishes; metrics, logs and stats subscribe to them. */
export type EngineEvent =
  | AttemptStartEvent
  | AttemptEndEvent
  | CooldownEvent
  | CircuitEvent
  | DisabledEvent
  | MalformedChunkEvent
  | CapacityFullEvent
  | StreamRecoveryEvent
  | HedgeEvent
  | RequestEndEvent;

/**
 * How a mid-stream recovery ended: continued after the text sent (`prefill`), regenerated and
 * spliced onto it (`spliced`), or not possible (`failed`: the stream ended with the in-band error).
 */
export type RecoveryResult = "prefill" | "spliced" | "failed";

/** A hedge was started; it answered first (`won`) or the attempt it raced did (`lost`). */
export type HedgeResult = "started" | "won" | "lost";

/** A stream broke after the commit point and a continuation on another deployment was tried. */
export interface StreamRecoveryEvent {
  type: "stream_recovery";
  requestId: string;
  group: string;
  /** The deployment whose stream broke. */
  deploymentId: string;
  /** The deployment that finished the answer; null when the recovery failed before one committed. */
  toDeploymentId: string | null;
  result: RecoveryResult;
  at: number;
}

/** A late first token was hedged on another deployment (`deploymentId`: the hedge's). */
export interface HedgeEvent {
  type: "hedge";
  requestId: string;
  group: string;
  deploymentId: string;
  /** The deployment whose first token was late. */
  racedDeploymentId: string;
  result: HedgeResult;
  at: number;
}

export interface AttemptStartEvent {
  type: "attempt_start";
  requestId: string;
  group: string;
  deploymentId: string;
  model: string;
  provider: string;
  /** 1-based attempt number within the request. */
  attempt: number;
  stream: boolean;
  at: number;
}

export interface AttemptEndEvent {
  type: "attempt_end";
  requestId: string;
  group: string;
  deploymentId: string;
  model: string;
  provider: string;
  attempt: number;
  stream: boolean;
  outcome: "success" | "failure";
  failure: FailureKind | null;
  status: number | null;
  message: string | null;
  /** Attempt start to end (stream: to the last event). */
  durationMs: number;
  /** Attempt start to first content (streams) or to the response (non-streams). */
  firstTokenMs: number | null;
  usage: Usage | null;
  /** True when the failure happened after the first byte reached the caller. */
  afterCommit: boolean;
  /** The rate limits the upstream reported in this answer's headers (read once), when it sent any. */
  rateLimits: RateLimitReport | null;
  at: number;
}

export interface CooldownEvent {
  type: "cooldown";
  deploymentId: string;
  reason: FailureKind;
  until: number;
  durationMs: number;
  /** True when the provider said how long (Retry-After and friends). */
  fromProvider: boolean;
  at: number;
}

export interface CircuitEvent {
  type: "circuit";
  deploymentId: string;
  from: CircuitState;
  to: CircuitState;
  until: number;
  at: number;
}

export interface DisabledEvent {
  type: "disabled";
  deploymentId: string;
  reason: string;
  at: number;
}

export interface MalformedChunkEvent {
  type: "malformed_chunk";
  deploymentId: string;
  requestId: string;
  at: number;
}

/** A deployment's configured capacity (rpm / tpm / rpd) was used up; the request went elsewhere or waited. */
export interface CapacityFullEvent {
  type: "capacity_full";
  requestId: string;
  deploymentId: string;
  /** The budget that was short (`slow_start`: nothing learned yet and enough requests in flight). */
  dimension: "requests" | "tokens" | "requests_per_day" | "slow_start";
  retryAt: number;
  at: number;
}

export interface RequestEndEvent {
  type: "request_end";
  requestId: string;
  group: string;
  stream: boolean;
  outcome: "success" | "failure";
  /** The error code when it failed (`rate_limited`, `all_deployments_failed`, …). */
  errorCode: string | null;
  deploymentId: string | null;
  attempts: number;
  durationMs: number;
  /** Time spent waiting on upstreams (sum of attempts). */
  upstreamMs: number;
  at: number;
}
