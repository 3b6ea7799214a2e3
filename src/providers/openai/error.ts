import { isRecord } from "../../util/index.js";

/** The fields of an OpenAI-style error body. */
export interface OpenAIErrorFields {
  message: string | null;
  type: string | null;
  code: string | null;
  param: string | null;
}

function text(value: unknown): string | null {
  if (typeof value === "string") return value;
  if (typeof value === "number") return String(value);
  return null;
}

/**
 * Reads `{error: {message, type, code, param}}` (OpenAI and every compatible vendor), tolerating
 * a bare `{message}`, an `error` string, and bodies wrapped in an array.
 */
export function readOpenAIError(body: unknown): OpenAIErrorFields {
  const root = Array.isArray(body) ? body[0] : body;
  if (!isRecord(root))
    return { message: typeof root === "string" ? root : null, type: null, code: null, param: null };
  const error = root["error"];
  if (typeof error === "string") return { message: error, type: null, code: null, param: null };
  const fields = isRecord(error) ? error : root;
  return {
    message: text(fields["message"]),
    type: text(fields["type"]) ?? text(fields["status"]),
    code: text(fields["code"]),
    param: text(fields["param"]),
  };
}
