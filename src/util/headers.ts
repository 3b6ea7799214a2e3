import type { HeaderMap } from "../types/index.js";

/** Copies a fetch `Headers` (or any iterable of pairs) into a plain lower-cased map. */
export function headerMap(headers: Iterable<[string, string]> | null | undefined): HeaderMap {
  const out: Record<string, string> = {};
  if (!headers) return out;
  for (const [name, value] of headers) out[name.toLowerCase()] = value;
  return out;
}
