import { LlmuxError, type ErrorCode } from "./llmux-error.js";

/** Codes of the spend errors (what the caller reads in `error.code` of the body). */
export type SpendErrorCode = Extract<
  ErrorCode,
  "insufficient_budget" | "budget_exhausted" | "key_rate_limited" | "model_not_allowed" | "invalid_api_key"
>;

/**
 * The body of a spend error, ModelMuxer's shape: `{error: {message, type, code, details}}`
 * (no `param`; `details` holds the numbers). Sent as is, key order included.
 */
export interface SpendErrorBody {
  error: { message: string; type: string; code: SpendErrorCode; details: Record<string, unknown> };
}

function money(usd: number): string {
  return `$${Number(usd.toPrecision(12))}`;
}

/**
 * The base of the errors of spend control (budgets, virtual keys). Each carries the exact `body`
 * and the `headers` its HTTP answer must have; the server sends them instead of the OpenAI body.
 */
export abstract class SpendError extends LlmuxError {
  readonly body: SpendErrorBody;
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    code: SpendErrorCode,
    status: number,
    message: string,
    body: { type: string; details: Record<string, unknown> },
    options: { retryAfterMs?: number | null; headers?: Record<string, string> } = {},
  ) {
    super(code, message, {
      status,
      retryable: options.retryAfterMs !== undefined && options.retryAfterMs !== null,
      retryAfterMs: options.retryAfterMs ?? null,
    });
    this.body = { error: { message: this.message, type: body.type, code, details: body.details } };
    this.headers = options.headers ?? {};
  }
}

/**
 * No deployment of the group fits `budgets.max_usd_per_request`: 402 with ModelMuxer's body,
 * `{"error":{"message":"Budget exceeded: No models within budget limit of $0.08","type":
 * "budget_exceeded","code":"insufficient_budget","details":{"limit":0.08,"estimate":0.12}}}`.
 * `estimate` is the cheapest candidate's (null when no candidate has a price).
 */
export class BudgetExceededError extends SpendError {
  readonly limitUsd: number;
  readonly estimateUsd: number | null;

  constructor(limitUsd: number, estimateUsd: number | null) {
    super(
      "insufficient_budget",
      402,
      `Budget exceeded: No models within budget limit of ${money(limitUsd)}`,
      { type: "budget_exceeded", details: { limit: limitUsd, estimate: estimateUsd } },
    );
    this.limitUsd = limitUsd;
    this.estimateUsd = estimateUsd;
  }
}

/** What a virtual key's exhausted budget looked like when a request was refused. */
export interface BudgetExhaustion {
  keyName: string;
  limitUsd: number;
  /** Spent in the current period, plus what requests in flight have reserved. */
  spentUsd: number;
  reservedUsd: number;
  /** The refused request's estimate. */
  estimateUsd: number;
  /** `1d`, `7d`, `30d`, `1mo`, or null for a budget that never resets. */
  period: string | null;
  /** When the budget resets (ms since the epoch), or null. */
  resetsAt: number | null;
}

/** A virtual key's budget for the period is used up (or cannot cover the request's estimate): 402. */
export class BudgetExhaustedError extends SpendError {
  readonly exhaustion: BudgetExhaustion;

  constructor(exhaustion: BudgetExhaustion) {
    const resets =
      exhaustion.resetsAt === null ? "" : `; it resets at ${new Date(exhaustion.resetsAt).toISOString()}`;
    super(
      "budget_exhausted",
      402,
      `Budget exhausted: key '${exhaustion.keyName}' has used ${money(exhaustion.spentUsd)} of its ` +
        `${money(exhaustion.limitUsd)} budget${exhaustion.reservedUsd > 0 ? ` (${money(exhaustion.reservedUsd)} more in flight)` : ""}` +
        ` and this request may cost ${money(exhaustion.estimateUsd)}${resets}`,
      {
        type: "budget_exceeded",
        details: {
          limit: exhaustion.limitUsd,
          spent: exhaustion.spentUsd,
          reserved: exhaustion.reservedUsd,
          estimate: exhaustion.estimateUsd,
          period: exhaustion.period,
          resets_at: exhaustion.resetsAt === null ? null : new Date(exhaustion.resetsAt).toISOString(),
        },
      },
    );
    this.exhaustion = exhaustion;
  }
}

/** A virtual key is over its `rpm` or `tpm`: 429 with `Retry-After` (seconds) and `retry-after-ms`. */
export class KeyRateLimitedError extends SpendError {
  constructor(keyName: string, dimension: "requests" | "tokens", limit: number, retryAfterMs: number) {
    const wait = Math.max(0, Math.ceil(retryAfterMs));
    super(
      "key_rate_limited",
      429,
      `Rate limit exceeded: key '${keyName}' is limited to ${limit} ${dimension} per minute; retry in ${Math.ceil(wait / 1000)} s`,
      { type: "rate_limit_exceeded", details: { limit, window: "minute", dimension } },
      {
        retryAfterMs: wait,
        headers: {
          "retry-after": String(Math.max(1, Math.ceil(wait / 1000))),
          "retry-after-ms": String(wait),
        },
      },
    );
  }
}

/** A virtual key asked for a model group it is not allowed: 403. */
export class ModelNotAllowedError extends SpendError {
  constructor(keyName: string, model: string, allowed: readonly string[]) {
    const shown = model.length > 256 ? `${model.slice(0, 256)}…` : model;
    super(
      "model_not_allowed",
      403,
      `Key '${keyName}' may not use the model '${shown}'. Allowed: ${allowed.join(", ") || "none"}.`,
      { type: "permission_error", details: { allowed: [...allowed] } },
    );
  }
}

/** Why a presented key was refused. */
export type InvalidKeyReason = "unknown" | "revoked" | "expired";

const keyMessages: Record<InvalidKeyReason, string> = {
  unknown: "Invalid API key provided.",
  revoked: "The API key has been revoked.",
  expired: "The API key has expired.",
};

/** The presented gateway key is unknown, revoked or expired: 401. */
export class InvalidApiKeyError extends SpendError {
  readonly reason: InvalidKeyReason;

  constructor(reason: InvalidKeyReason) {
    super("invalid_api_key", 401, keyMessages[reason], { type: "authentication_error", details: {} });
    this.reason = reason;
  }
}
