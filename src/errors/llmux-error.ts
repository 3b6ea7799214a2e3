import type { AttemptRecord, FailureKind } from "../types/index.js";
import type { HeaderMap } from "../types/index.js";
import { clipText, knownList } from "./clip.js";
import { redactSecrets } from "./redact.js";

/** Stable machine-readable error codes. */
export type ErrorCode =
  | "upstream_http"
  | "upstream_network"
  | "rate_limited"
  | "all_deployments_failed"
  | "timeout"
  | "invalid_request"
  | "context_length_exceeded"
  | "stream_interrupted"
  | "aborted"
  | "model_not_found"
  | "no_deployments"
  | "config_invalid"
  | "gateway_shutdown"
  // Spend control (budget-errors.ts):
  | "insufficient_budget"
  | "budget_exhausted"
  | "key_rate_limited"
  | "model_not_allowed"
  | "invalid_api_key";

/** Fields every llmux error can carry. */
export interface LlmuxErrorInit {
  status: number;
  retryable?: boolean;
  provider?: string | null;
  deploymentId?: string | null;
  retryAfterMs?: number | null;
  attempts?: readonly AttemptRecord[];
  cause?: unknown;
}

/**
 * The base of every error llmux raises: a stable `code`, the HTTP `status` it maps to, where it
 * happened, whether trying again may help, and the upstream `cause`. Messages never hold secrets.
 */
export class LlmuxError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly retryable: boolean;
  readonly provider: string | null;
  readonly deploymentId: string | null;
  /** Earliest moment (ms from when it was thrown) at which trying again may succeed. */
  readonly retryAfterMs: number | null;
  /** Every attempt made for the request, in order. */
  readonly attempts: readonly AttemptRecord[];

  constructor(code: ErrorCode, message: string, init: LlmuxErrorInit) {
    super(redactSecrets(message), init.cause === undefined ? undefined : { cause: init.cause });
    this.name = new.target.name;
    this.code = code;
    this.status = init.status;
    this.retryable = init.retryable ?? false;
    this.provider = init.provider ?? null;
    this.deploymentId = init.deploymentId ?? null;
    this.retryAfterMs = init.retryAfterMs ?? null;
    this.attempts = init.attempts ?? [];
  }
}

/** The upstream answered with an error status. Thrown by targets, classified by the engine. */
export class UpstreamHttpError extends LlmuxError {
  readonly headers: HeaderMap;
  /** The parsed error body (or the raw text when it was not JSON). */
  readonly body: unknown;
  /** The provider's error type/code, when its body had one. */
  readonly upstreamType: string | null;
  readonly upstreamCode: string | null;

  constructor(
    status: number,
    message: string,
    details: {
      headers: HeaderMap;
      body: unknown;
      upstreamType?: string | null;
      upstreamCode?: string | null;
      provider?: string | null;
    },
  ) {
    super("upstream_http", message, { status, provider: details.provider ?? null, retryable: status >= 429 });
    this.headers = details.headers;
    this.body = details.body;
    this.upstreamType = details.upstreamType ?? null;
    this.upstreamCode = details.upstreamCode ?? null;
  }
}

/** No usable response: connection refused or reset, DNS, TLS, socket closed early. */
export class UpstreamNetworkError extends LlmuxError {
  /** The system or undici code (`ECONNRESET`, `UND_ERR_SOCKET`, …). */
  readonly networkCode: string | null;

  constructor(message: string, networkCode: string | null, cause?: unknown, provider?: string | null) {
    super("upstream_network", message, { status: 502, retryable: true, cause, provider: provider ?? null });
    this.networkCode = networkCode;
  }
}

/** Every deployment that could serve the request is rate-limited (or out of quota) right now. */
export class RateLimitedError extends LlmuxError {
  constructor(message: string, retryAfterMs: number, attempts: readonly AttemptRecord[], cause?: unknown) {
    super("rate_limited", message, { status: 429, retryable: true, retryAfterMs, attempts, cause });
  }
}

/** Every deployment was tried (or is down) and none answered. */
export class AllDeploymentsFailedError extends LlmuxError {
  constructor(
    message: string,
    attempts: readonly AttemptRecord[],
    options: { status?: number; retryAfterMs?: number | null; cause?: unknown } = {},
  ) {
    super("all_deployments_failed", message, {
      status: options.status ?? 502,
      retryable: true,
      attempts,
      retryAfterMs: options.retryAfterMs ?? null,
      cause: options.cause,
    });
  }
}

/** The request deadline passed. */
export class TimeoutError extends LlmuxError {
  constructor(message: string, attempts: readonly AttemptRecord[], cause?: unknown) {
    super("timeout", message, { status: 504, retryable: true, attempts, cause });
  }
}

/** The caller's request is bad (or refused by policy); returned at once with the provider's reason. */
export class InvalidRequestError extends LlmuxError {
  /** The name of the offending parameter, when known. */
  readonly param: string | null;

  constructor(
    message: string,
    options: {
      code?: "invalid_request" | "context_length_exceeded";
      status?: number;
      param?: string | null;
      deploymentId?: string | null;
      provider?: string | null;
      attempts?: readonly AttemptRecord[];
      cause?: unknown;
    } = {},
  ) {
    super(options.code ?? "invalid_request", message, {
      status: options.status ?? 400,
      deploymentId: options.deploymentId ?? null,
      provider: options.provider ?? null,
      attempts: options.attempts ?? [],
      cause: options.cause,
    });
    this.param = options.param ?? null;
  }
}

/**
 * A translating target cannot express the request for its provider (a feature it lacks). The engine
 * tries other deployments and returns this 400 only when none can serve the request.
 */
export class UnsupportedRequestError extends InvalidRequestError {}

/**
 * llmux cannot send the request to the upstream: its body cannot be serialised, a mapper rejected
 * it, or an image it links could not be fetched. The caller's error (400), returned at once; nothing
 * reached the upstream, so it never counts against the deployment.
 */
export class UnsendableRequestError extends InvalidRequestError {}

/** The stream broke after the first content reached the caller: cut, stalled or an in-band error. */
export class StreamInterruptedError extends LlmuxError {
  readonly reason: FailureKind;

  constructor(message: string, reason: FailureKind, deploymentId: string, cause?: unknown) {
    super("stream_interrupted", message, { status: 502, retryable: true, deploymentId, cause });
    this.reason = reason;
  }
}

/** The caller aborted the request. */
export class AbortedError extends LlmuxError {
  constructor(message = "Request was aborted.", cause?: unknown) {
    super("aborted", message, { status: 499, cause });
  }
}

/** No model group has this name. */
export class ModelNotFoundError extends LlmuxError {
  readonly known: readonly string[];

  constructor(model: string, known: readonly string[]) {
    super("model_not_found", `The model '${clipText(model)}' does not exist.${knownList(known)}`, {
      status: 404,
    });
    this.known = known;
  }
}

/** Nothing is configured to serve the request. */
export class NoDeploymentsError extends LlmuxError {
  constructor(message: string) {
    super("no_deployments", message, { status: 503 });
  }
}
