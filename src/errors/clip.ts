/** The most characters of a caller-supplied value echoed in an error or a log line. */
export const echoLimit = 256;

/** The most names listed in a "known models" message. */
export const listLimit = 20;

/**
 * `text` cut to `limit` characters with a note of how much was left out (`…(N more characters)`),
 * so a huge value sent by a client is never echoed whole into an error body or a log line.
 */
export function clipText(text: string, limit = echoLimit): string {
  if (text.length <= limit) return text;
  // Do not split a surrogate pair.
  const code = text.charCodeAt(limit - 1);
  const end = code >= 0xd800 && code <= 0xdbff ? limit - 1 : limit;
  return `${text.slice(0, end)}…(${text.length - end} more characters)`;
}

/** ` Known models: a, b, … (and N more).` for an error message; empty when there are none. */
export function knownList(names: readonly string[]): string {
  if (names.length === 0) return "";
  const shown = names.slice(0, listLimit).map((name) => clipText(name, 100));
  const rest = names.length - shown.length;
  return ` Known models: ${shown.join(", ")}${rest > 0 ? ` (and ${rest} more; GET /v1/models lists them all)` : ""}.`;
}
