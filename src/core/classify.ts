import {
  AbortedError,
  InvalidRequestError,
  LlmuxError,
  UpstreamHttpError,
  UpstreamNetworkError,
  UnsupportedRequestError,
  UnsendableRequestError,
} from "../errors/index.js";
import type { Failure, FailureKind } from "../types/index.js";
import { StreamFailure } from "./relay/stream-failure.js";
import { isRecord, retryDelayFromBody, retryDelayFromHeaders } from "../util/index.js";

const contextLengthCodes = new Set([
  "context_length_exceeded",
  "string_above_max_length",
  "model_context_window_exceeded",
]);
const contextLengthMessage =
  /context.length|context window|maximum context|prompt is too long|too many (input )?tokens|input is too long|exceeds the (model'?s )?(maximum|max)/i;
const quotaCodes = new Set([
  "insufficient_quota",
  "billing_hard_limit_reached",
  "enforced_spend_limit_reached",
  "billing_error",
]);

/** An internal timeout raised by the engine's own timers (first token, idle, deadline). */
export class AttemptTimeout extends Error {
  constructor(
    readonly phase: "first_token" | "idle" | "deadline",
    readonly afterMs: number,
  ) {
    super(
      phase === "deadline"
        ? `Request deadline of ${afterMs} ms passed`
        : `No ${phase === "idle" ? "stream data" : "response"} within ${afterMs} ms`,
    );
    this.name = "AttemptTimeout";
  }
}

/** Looks for a per-day quota in a Google `QuotaFailure` detail, or a spend-cap marker. */
function isLongQuota(body: unknown): boolean {
  const root = Array.isArray(body) ? body[0] : body;
  if (!isRecord(root) || !isRecord(root["error"])) return false;
  const error = root["error"];
  if (isRecord(error["details"]) && quotaCodes.has(String(error["details"]["error_code"]))) return true;
  const details = error["details"];
  if (!Array.isArray(details)) return false;
  return details.some(
    (detail) =>
      isRecord(detail) &&
      Array.isArray(detail["violations"]) &&
      detail["violations"].some(
        (v) => isRecord(v) && /PerDay|per_day|daily/i.test(String(v["quotaId"] ?? v["quotaMetric"] ?? "")),
      ),
  );
}

function kindFromStatus(error: UpstreamHttpError): FailureKind {
  const { status, upstreamCode, upstreamType } = error;
  const code = upstreamCode ?? "";
  const type = upstreamType ?? "";
  if (status === 429) {
    return quotaCodes.has(code) || quotaCodes.has(type) || isLongQuota(error.body)
      ? "quota_exhausted"
      : "rate_limited";
  }
  if (status === 402 || quotaCodes.has(code) || quotaCodes.has(type)) return "quota_exhausted";
  if (status === 401 || status === 403) return "auth";
  if (status === 404) return "not_found";
  if (status === 408) return "timeout";
  if (status === 503 || status === 529 || type === "overloaded_error") return "overloaded";
  if (status >= 500) return "server_error";
  if (contextLengthCodes.has(code) || contextLengthMessage.test(error.message)) return "context_length";
  if (
    status === 400 &&
    /API[_ ]KEY[_ ]INVALID|api key not valid/i.test(
      `${code} ${error.message} ${JSON.stringify(error.body ?? "")}`,
    )
  ) {
    return "auth";
  }
  if (status === 409) return "server_error";
  return "bad_request";
}

function networkCode(error: unknown): string | null {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && isRecord(current); depth += 1) {
    const code = current["code"];
    if (typeof code === "string" && /^(E[A-Z]+|UND_ERR_[A-Z_]+)$/.test(code)) return code;
    current = current["cause"];
  }
  return null;
}

/**
 * Turns whatever an attempt threw into a `Failure`: upstream HTTP errors by status, code and body,
 * network errors by their system code, the engine's own timeouts, and aborts. A request llmux
 * cannot send, and any other error without a system or undici code (thrown by our own code, not by
 * the connection), is `local`: the caller's error, never the deployment's.
 */
export function classifyFailure(error: unknown, now: number): Failure {
  if (error instanceof AttemptTimeout) {
    return {
      kind: "timeout",
      status: null,
      message: error.message,
      code: error.phase,
      retryAfterMs: null,
      cause: error,
    };
  }
  if (error instanceof AbortedError) {
    return {
      kind: "aborted",
      status: null,
      message: error.message,
      code: "aborted",
      retryAfterMs: null,
      cause: error,
    };
  }
  if (error instanceof UpstreamHttpError) {
    const kind = kindFromStatus(error);
    const retryAfterMs = retryDelayFromHeaders(error.headers, now) ?? retryDelayFromBody(error.body);
    return {
      kind,
      status: error.status,
      message: error.message,
      code: error.upstreamCode ?? error.upstreamType,
      retryAfterMs,
      cause: error,
    };
  }
  if (error instanceof StreamFailure) {
    const type = error.errorType ?? "";
    const kind: FailureKind = /overload|UNAVAILABLE/i.test(type)
      ? "overloaded"
      : /rate_limit|RESOURCE_EXHAUSTED/i.test(type)
        ? "rate_limited"
        : /blocked|content_filter|SAFETY/i.test(type)
          ? "bad_request"
          : error.kind;
    return {
      kind,
      status: null,
      message: error.message,
      code: error.errorType,
      retryAfterMs: null,
      cause: error,
    };
  }
  if (error instanceof UpstreamNetworkError) {
    return {
      kind: "network",
      status: null,
      message: error.message,
      code: error.networkCode,
      retryAfterMs: null,
      cause: error,
    };
  }
  if (error instanceof UnsendableRequestError) return localFailure(error, error.status, error.code);
  if (error instanceof UnsupportedRequestError) {
    return {
      kind: "unsupported",
      status: error.status,
      message: error.message,
      code: error.code,
      retryAfterMs: null,
      cause: error,
    };
  }
  if (error instanceof InvalidRequestError) {
    return {
      kind: "bad_request",
      status: error.status,
      message: error.message,
      code: error.code,
      retryAfterMs: null,
      cause: error,
    };
  }
  if (error instanceof LlmuxError) {
    return {
      kind: "server_error",
      status: error.status,
      message: error.message,
      code: error.code,
      retryAfterMs: null,
      cause: error,
    };
  }
  const code = networkCode(error);
  if (code === null) return localFailure(error, 400, null, "The request could not be sent: ");
  return {
    kind: "network",
    status: null,
    message: error instanceof Error ? error.message : String(error),
    code,
    retryAfterMs: null,
    cause: error,
  };
}

function localFailure(error: unknown, status: number, code: string | null, prefix = ""): Failure {
  return {
    kind: "local",
    status,
    message: prefix + (error instanceof Error ? error.message : String(error)),
    code,
    retryAfterMs: null,
    cause: error,
  };
}
