import { LlmuxError, UpstreamHttpError, redactSecrets } from "../../../errors/index.js";

/** The `error.type` values of Anthropic error bodies. */
export type AnthropicErrorType =
  | "invalid_request_error"
  | "authentication_error"
  | "billing_error"
  | "permission_error"
  | "not_found_error"
  | "request_too_large"
  | "rate_limit_error"
  | "api_error"
  | "timeout_error"
  | "overloaded_error";

/** An Anthropic error body. */
export interface AnthropicErrorBody {
  type: "error";
  error: { type: string; message: string };
  request_id: string | null;
}

const typeByStatus: Readonly<Record<number, AnthropicErrorType>> = {
  400: "invalid_request_error",
  401: "authentication_error",
  402: "billing_error",
  403: "permission_error",
  404: "not_found_error",
  408: "timeout_error",
  413: "request_too_large",
  429: "rate_limit_error",
  500: "api_error",
  503: "overloaded_error",
  504: "timeout_error",
  529: "overloaded_error",
};

const knownTypes = new Set<string>(Object.values(typeByStatus));

/**
 * The Anthropic error type of an HTTP status: 400 `invalid_request_error`, 401
 * `authentication_error`, 402 `billing_error`, 403 `permission_error`, 404 `not_found_error`, 408
 * and 504 `timeout_error`, 413 `request_too_large`, 429 `rate_limit_error`, 500 `api_error`, 503
 * and 529 `overloaded_error` (both mean "try again later"); any other 4xx `invalid_request_error`,
 * any other status `api_error`.
 */
export function anthropicErrorType(status: number): AnthropicErrorType {
  const known = typeByStatus[status];
  if (known !== undefined) return known;
  return status >= 400 && status < 500 ? "invalid_request_error" : "api_error";
}

/**
 * An Anthropic error body `{"type": "error", "error": {type, message}, "request_id"}`; `type`
 * defaults to {@link anthropicErrorType} of the status.
 */
export function toAnthropicError(
  status: number,
  message: string,
  type?: string,
  requestId: string | null = null,
): AnthropicErrorBody {
  return {
    type: "error",
    error: { type: type ?? anthropicErrorType(status), message },
    request_id: requestId,
  };
}

/**
 * Any error → its HTTP status and Anthropic body: an LlmuxError keeps its status and message (an
 * upstream's own Anthropic error type wins when the error came from one); anything else is a 500
 * `api_error` with its message, secrets masked (LlmuxError messages already are).
 */
export function toAnthropicErrorBody(
  error: unknown,
  requestId: string | null = null,
): { status: number; body: AnthropicErrorBody } {
  if (!(error instanceof LlmuxError)) {
    const message = redactSecrets(error instanceof Error ? error.message : String(error));
    return { status: 500, body: toAnthropicError(500, message, "api_error", requestId) };
  }
  const upstream = error instanceof UpstreamHttpError ? error : error.cause;
  const upstreamType = upstream instanceof UpstreamHttpError ? upstream.upstreamType : null;
  const type = upstreamType !== null && knownTypes.has(upstreamType) ? upstreamType : undefined;
  return { status: error.status, body: toAnthropicError(error.status, error.message, type, requestId) };
}
