import { performance } from "node:perf_hooks";
import { randomUUID } from "node:crypto";
import type { AttemptRecord, Clock, HeaderMap } from "../types/index.js";
import type { TokenEstimate } from "./estimate.js";
import type { Group } from "./plan.js";

/** What the caller passes with one request. */
export interface CallOptions {
  /** Aborts the request (and the upstream call). */
  signal?: AbortSignal | undefined;
  /** Extra headers for the upstream request. */
  headers?: Readonly<Record<string, string>> | undefined;
  /** Overall deadline for this request, overriding the engine default. */
  timeoutMs?: number | undefined;
  /** Correlation id for events and logs; generated when absent. */
  requestId?: string | undefined;
}

/** The per-request state the attempt loop and the stream relay share. */
export interface RequestContext {
  readonly requestId: string;
  readonly group: Group;
  readonly stream: boolean;
  readonly startedAt: number;
  /** `performance.now()` at the start, for precise durations. */
  readonly startedHr: number;
  readonly deadline: number;
  readonly timeoutMs: number;
  readonly signal: AbortSignal | undefined;
  readonly headers: Readonly<Record<string, string>> | undefined;
  readonly attempts: AttemptRecord[];
  /** Time spent in upstream calls so far. */
  upstreamMs: number;
  /** Response headers of the attempt that answered. */
  responseHeaders: HeaderMap;
  /** Tokens the request will be charged against tpm budgets (computed only when one is configured). */
  estimateTokens: (() => TokenEstimate) | null;
  /** The estimate, once computed. */
  tokens: TokenEstimate | null;
}

/** A unique request id (`req_<uuid>`). */
export function nextRequestId(): string {
  return `req_${randomUUID()}`;
}

/** Opens the context of one request. */
export function openRequest(
  group: Group,
  stream: boolean,
  call: CallOptions,
  clock: Clock,
  defaultTimeoutMs: number,
): RequestContext {
  const startedAt = clock.now();
  const timeoutMs = call.timeoutMs ?? defaultTimeoutMs;
  return {
    requestId: call.requestId ?? nextRequestId(),
    group,
    stream,
    startedAt,
    startedHr: performance.now(),
    deadline: startedAt + timeoutMs,
    timeoutMs,
    signal: call.signal,
    headers: call.headers,
    attempts: [],
    upstreamMs: 0,
    responseHeaders: {},
    estimateTokens: null,
    tokens: null,
  };
}
