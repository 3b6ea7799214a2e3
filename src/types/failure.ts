/**
 * What went wrong with one attempt, as the failure policy sees it. Made from an upstream response
 * or a transport error by `classifyFailure`; status codes are interpreted nowhere else.
 */
export type FailureKind =
  /** 429 rate limit (requests or tokens). */
  | "rate_limited"
  /** 402 / `insufficient_quota` / spend cap / per-day quota: out of money or daily quota. */
  | "quota_exhausted"
  /** 529 / 503 overloaded. */
  | "overloaded"
  /** 500, 502, 504 and other 5xx. */
  | "server_error"
  /** Connection refused, reset, DNS, TLS: no usable response. */
  | "network"
  /** No headers or first token in time, or the request deadline passed. */
  | "timeout"
  /** 401 / 403: the key is bad. */
  | "auth"
  /** 404: the model (or endpoint) does not exist at this deployment. */
  | "not_found"
  /** 400 `context_length_exceeded`: the prompt is too long for this model. */
  | "context_length"
  /** Other 400 / 422: the caller's request is bad (or refused by content policy). */
  | "bad_request"
  /** This deployment's provider cannot express the request (e.g. `n > 1` on Anthropic); others may. */
  | "unsupported"
  /** The stream closed before a finish reason. */
  | "stream_cut"
  /** No stream data within the idle timeout. */
  | "stream_stall"
  /** An error event inside the stream. */
  | "stream_error"
  /** The caller gave up. */
  | "aborted"
  /**
   * The request failed inside llmux, not at the upstream: it cannot be sent (serialised, translated,
   * a linked image fetched) or our own code threw. The caller's error; never counted against the deployment.
   */
  | "local";

/** A classified failure with everything the policy and the caller-visible error need. */
export interface Failure {
  kind: FailureKind;
  /** HTTP status of the upstream response, when there was one. */
  status: number | null;
  /** Human-readable reason (the provider's message, never a key). */
  message: string;
  /** Upstream error code (`rate_limit_exceeded`, `ECONNRESET`, …). */
  code: string | null;
  /** How long the provider asked us to wait, when it said. */
  retryAfterMs: number | null;
  /** The original error or response body. */
  cause: unknown;
}

/** One attempt as reported to the caller in errors and stats. */
export interface AttemptRecord {
  deploymentId: string;
  model: string;
  kind: FailureKind | "success";
  status: number | null;
  message: string;
  durationMs: number;
}
