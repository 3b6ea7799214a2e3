import type { Usage } from "../../types/index.js";

const usageKey = Buffer.from('"usage"');

/**
 * Reads `usage` from a chat completion body without parsing the whole body (the gateway forwards
 * the bytes as they came): finds the last `"usage"` key and parses only its object. Null when absent.
 */
export function scanUsage(raw: Uint8Array): Usage | null {
  const bytes = Buffer.isBuffer(raw) ? raw : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
  const at = bytes.lastIndexOf(usageKey);
  if (at < 0) return null;
  const start = bytes.indexOf(123, at + usageKey.length);
  if (start < 0) return null;
  let depth = 0;
  for (let end = start; end < bytes.length; end += 1) {
    const code = bytes[end];
    if (code === 123) depth += 1;
    else if (code === 125 && --depth === 0) {
      try {
        return JSON.parse(bytes.subarray(start, end + 1).toString("utf8")) as Usage;
      } catch {
        return null;
      }
    }
  }
  return null;
}

/** True when the bytes are framed as one JSON object (`{` … `}` around optional whitespace). */
export function framedAsObject(raw: Uint8Array): boolean {
  let first = 0;
  let last = raw.length - 1;
  while (first <= last && (raw[first] === 32 || raw[first] === 10 || raw[first] === 13 || raw[first] === 9))
    first += 1;
  while (last >= first && (raw[last] === 32 || raw[last] === 10 || raw[last] === 13 || raw[last] === 9))
    last -= 1;
  return raw[first] === 123 && raw[last] === 125;
}
