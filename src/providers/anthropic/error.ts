import { isRecord } from "../../util/index.js";
import { recordField } from "./fields.js";

/** The fields of an Anthropic error body. */
export interface AnthropicErrorFields {
  message: string | null;
  /** `error.type`: `invalid_request_error`, `rate_limit_error`, `overloaded_error`, … */
  type: string | null;
  /** A finer code when the body has one: `error.details.error_code` (e.g. `enforced_spend_limit_reached`) or `error.code`. */
  code: string | null;
}

function text(value: unknown): string | null {
  if (typeof value === "string" && value !== "") return value;
  if (typeof value === "number") return String(value);
  return null;
}

/**
 * Reads an Anthropic error body `{type: "error", error: {type, message, details?: {error_code}},
 * request_id}` (HTTP error responses and the stream's `error` event alike). Tolerates a bare
 * `{type, message}`, an `error` string, a plain string body and bodies wrapped in an array; unknown
 * shapes give nulls.
 */
export function readAnthropicError(body: unknown): AnthropicErrorFields {
  const root = Array.isArray(body) ? (body as unknown[])[0] : body;
  if (!isRecord(root)) return { message: text(root), type: null, code: null };
  const error = root["error"];
  if (typeof error === "string") return { message: error, type: null, code: text(root["code"]) };
  const fields = isRecord(error) ? error : root;
  const type = text(fields["type"]);
  return {
    message: text(fields["message"]),
    type: type === "error" ? null : type,
    code: text(recordField(fields, "details")?.["error_code"]) ?? text(fields["code"]),
  };
}
