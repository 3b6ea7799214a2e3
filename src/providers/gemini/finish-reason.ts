/** Gemini finish reasons that mean the output was cut or withheld by a content filter. */
const contentFilterReasons = new Set([
  "SAFETY",
  "RECITATION",
  "BLOCKLIST",
  "PROHIBITED_CONTENT",
  "SPII",
  "IMAGE_SAFETY",
  "LANGUAGE",
  "IMAGE_PROHIBITED_CONTENT",
  "IMAGE_RECITATION",
]);

/** An OpenAI finish reason this provider can produce. */
export type GeminiMappedFinishReason = "stop" | "length" | "tool_calls" | "content_filter";

/**
 * Maps a Gemini `Candidate.finishReason` to an OpenAI `finish_reason`.
 *
 * - absent / empty → `null` (the candidate has not finished; in a stream, no finish chunk yet);
 * - `MAX_TOKENS` → `length`;
 * - `SAFETY`, `RECITATION`, `BLOCKLIST`, `PROHIBITED_CONTENT`, `SPII`, `IMAGE_SAFETY`, `LANGUAGE`
 *   (and the newer `IMAGE_PROHIBITED_CONTENT`, `IMAGE_RECITATION`) → `content_filter`;
 * - anything else (`STOP`, `OTHER`, `MALFORMED_FUNCTION_CALL`, `FINISH_REASON_UNSPECIFIED`, future
 *   values) → `tool_calls` when the candidate carried function calls (Gemini ends a function call
 *   with `STOP`), else `stop`.
 */
export function geminiFinishReason(
  reason: string | null | undefined,
  hasToolCalls: boolean,
): GeminiMappedFinishReason | null {
  if (reason === null || reason === undefined || reason === "") return null;
  if (reason === "MAX_TOKENS") return "length";
  if (contentFilterReasons.has(reason)) return "content_filter";
  return hasToolCalls ? "tool_calls" : "stop";
}
