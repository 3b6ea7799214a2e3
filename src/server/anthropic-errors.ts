import type { ServerResponse } from "node:http";
import {
  AbortedError,
  AllDeploymentsFailedError,
  GatewayShutdownError,
  LlmuxError,
  StreamInterruptedError,
  type SecretRedactor,
} from "../errors/index.js";
import {
  anthropicErrorType,
  toAnthropicError,
  toAnthropicErrorBody,
  type AnthropicErrorBody,
} from "../providers/anthropic/index.js";
import { isRecord } from "../util/index.js";
import { errorAnswer } from "./error-reply.js";
import { writeJson } from "./raw-reply.js";

/** An HTTP error answer in Anthropic's shape. */
export interface AnthropicErrorAnswer {
  status: number;
  headers: Record<string, string>;
  body: AnthropicErrorBody;
}

/** The `error.type` values Anthropic clients know (an OpenAI upstream's `server_error` is not one). */
const anthropicErrorTypes = new Set<string>([
  "invalid_request_error",
  "authentication_error",
  "billing_error",
  "permission_error",
  "not_found_error",
  "request_too_large",
  "rate_limit_error",
  "api_error",
  "timeout_error",
  "overloaded_error",
]);

/** True when every attempt of a failed request met an overloaded upstream (Anthropic's 529 case). */
function allOverloaded(error: unknown): boolean {
  return (
    error instanceof AllDeploymentsFailedError &&
    error.attempts.length > 0 &&
    error.attempts.every((attempt) => attempt.kind === "overloaded")
  );
}

/**
 * Any error → status, headers and the Anthropic error body `{"type": "error", "error": {type,
 * message}, "request_id"}`: the status, headers (`retry-after`, …) and message of the gateway's one
 * error mapping (`errorAnswer`: secrets masked, the upstream's own text kept — Claude Code reads
 * "prompt is too long" in it), the error type of the status (`rate_limit_error` for 429, …) unless
 * an Anthropic upstream named its own, and 529 `overloaded_error` when every deployment tried was
 * overloaded. The `request-id` header carries the gateway's request id.
 */
export function anthropicErrorAnswer(
  error: unknown,
  redactor: SecretRedactor,
  requestId: string | null,
): AnthropicErrorAnswer {
  const answer = errorAnswer(error, redactor);
  const overloaded = allOverloaded(error);
  const status = overloaded ? 529 : answer.status;
  const type = overloaded
    ? "overloaded_error"
    : error instanceof LlmuxError
      ? toAnthropicErrorBody(error).body.error.type
      : anthropicErrorType(status);
  const headers = requestId === null ? answer.headers : { ...answer.headers, "request-id": requestId };
  return { status, headers, body: toAnthropicError(status, answer.body.error.message, type, requestId) };
}

/** Writes an error answer in Anthropic's shape; nothing when the client is gone. */
export function writeAnthropicError(
  raw: ServerResponse,
  error: unknown,
  redactor: SecretRedactor,
  requestId: string | null,
): void {
  if (error instanceof AbortedError || raw.destroyed || raw.headersSent) return;
  const answer = anthropicErrorAnswer(error, redactor, requestId);
  writeJson(raw, answer.status, { ...answer.headers }, JSON.stringify(answer.body));
}

/**
 * The `error` of an in-band error event after the commit point: an upstream's own error event keeps
 * its message, and its type when it is an Anthropic one (`overloaded_error` makes Claude Code
 * retry); an upstream error event of another dialect (OpenAI's `server_error`) is
 * `overloaded_error`, so is the gateway shutting down (Claude Code retries it), anything else
 * `api_error`; secrets masked.
 */
export function inBandAnthropicError(
  error: unknown,
  redactor: SecretRedactor,
): { type: string; message: string } {
  const cause = error instanceof StreamInterruptedError ? error.cause : undefined;
  const upstream = isRecord(cause) && isRecord(cause["error"]) ? cause["error"] : null;
  const upstreamType = upstream !== null ? upstream["type"] : undefined;
  const upstreamMessage = upstream !== null ? upstream["message"] : undefined;
  const message =
    typeof upstreamMessage === "string"
      ? upstreamMessage
      : error instanceof Error
        ? error.message
        : String(error);
  const type =
    typeof upstreamType === "string" && anthropicErrorTypes.has(upstreamType)
      ? upstreamType
      : (error instanceof StreamInterruptedError && error.reason === "stream_error") ||
          error instanceof GatewayShutdownError
        ? "overloaded_error"
        : "api_error";
  return { type, message: redactor.redact(message) };
}
