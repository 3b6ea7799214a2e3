import { isRecord } from "../../util/index.js";

/** The fields llmux reads from a Gemini error body. */
export interface GeminiErrorFields {
  message: string | null;
  /** The `google.rpc.Code` name, e.g. `RESOURCE_EXHAUSTED`, `INVALID_ARGUMENT`, `UNAVAILABLE`. */
  type: string | null;
  /** The `ErrorInfo.reason` detail (e.g. `API_KEY_INVALID`) when present, else the numeric `code` as text. */
  code: string | null;
}

function text(value: unknown): string | null {
  if (typeof value === "string" && value !== "") return value;
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  return null;
}

/** The `reason` of the first `type.googleapis.com/google.rpc.ErrorInfo` detail. */
function errorInfoReason(details: unknown): string | null {
  if (!Array.isArray(details)) return null;
  for (const detail of details) {
    if (!isRecord(detail) || !String(detail["@type"] ?? "").endsWith("google.rpc.ErrorInfo")) continue;
    const reason = text(detail["reason"]);
    if (reason !== null) return reason;
  }
  return null;
}

/**
 * Reads a Gemini error body, a `google.rpc.Status` in an envelope:
 * `{error: {code: 429, message, status: "RESOURCE_EXHAUSTED", details: [...]}}`. The streaming
 * endpoint without `alt=sse` wraps it in an array (`[{error: …}]`); both are read. A plain-text
 * body becomes the message. `type` is the status name; `code` is the `ErrorInfo` reason (how Google
 * says `API_KEY_INVALID`) or else the HTTP-like numeric code as text (`"429"`).
 */
export function readGeminiError(body: unknown): GeminiErrorFields {
  const root: unknown = Array.isArray(body) ? body[0] : body;
  if (typeof root === "string") return { message: root === "" ? null : root, type: null, code: null };
  if (!isRecord(root)) return { message: null, type: null, code: null };
  const error = root["error"];
  if (typeof error === "string") return { message: text(error), type: null, code: null };
  const fields = isRecord(error) ? error : root;
  return {
    message: text(fields["message"]),
    type: text(fields["status"]),
    code: errorInfoReason(fields["details"]) ?? text(fields["code"]),
  };
}
