/** Request headers as a plain record (Node's `IncomingHttpHeaders`, or any name → value map). */
export type RequestHeaders = Readonly<Record<string, string | readonly string[] | undefined>>;

/** What a request lets the cache do. */
export interface CacheDirective {
  /** May a stored answer be served? */
  read: boolean;
  /** May the fresh answer be stored? */
  write: boolean;
  /** Serve only entries younger than this (`Cache-Control: max-age=N`), else null. */
  maxAgeMs: number | null;
  /** Which header decided, for logs and the `x-llmux-cache` answer header; null when nothing was asked. */
  reason: string | null;
}

const useCache: CacheDirective = Object.freeze({ read: true, write: true, maxAgeMs: null, reason: null });

/** The values of one header, found case-insensitively, split at commas and lower-cased. */
function headerTokens(headers: RequestHeaders, name: string): string[] {
  let value = headers[name];
  if (value === undefined) {
    for (const [key, candidate] of Object.entries(headers)) {
      if (key.toLowerCase() === name) {
        value = candidate;
        break;
      }
    }
  }
  if (value === undefined) return [];
  const joined = typeof value === "string" ? value : value.join(",");
  return joined
    .split(",")
    .map((token) => token.trim().toLowerCase())
    .filter((token) => token !== "");
}

/**
 * Reads the caller's cache wishes from its request headers. Pure.
 *
 * - `x-llmux-cache: bypass` (or `off`, `no`, `false`, `0`): neither read nor write;
 *   `x-llmux-cache: refresh`: do not read, store the fresh answer.
 * - `cache-control: no-store`: neither read nor write; `no-cache` (and `pragma: no-cache`) or
 *   `max-age=0`: do not read, store the fresh answer; `max-age=N`: serve only entries younger than N s.
 *
 * The most restrictive wins when several are sent.
 */
export function cacheDirective(headers: RequestHeaders): CacheDirective {
  let read = true;
  let write = true;
  let maxAgeMs: number | null = null;
  const reasons: string[] = [];
  for (const token of headerTokens(headers, "x-llmux-cache")) {
    if (["bypass", "off", "no", "false", "0"].includes(token)) {
      read = false;
      write = false;
      reasons.push(`x-llmux-cache: ${token}`);
    } else if (token === "refresh") {
      read = false;
      reasons.push("x-llmux-cache: refresh");
    }
  }
  for (const token of headerTokens(headers, "cache-control")) {
    if (token === "no-store") {
      read = false;
      write = false;
      reasons.push("cache-control: no-store");
    } else if (token === "no-cache") {
      read = false;
      reasons.push("cache-control: no-cache");
    } else if (token.startsWith("max-age=")) {
      const seconds = Number(token.slice("max-age=".length));
      if (!Number.isFinite(seconds) || seconds < 0) continue;
      if (seconds === 0) read = false;
      maxAgeMs = Math.min(maxAgeMs ?? Infinity, seconds * 1_000);
      reasons.push(`cache-control: ${token}`);
    }
  }
  if (headerTokens(headers, "pragma").includes("no-cache")) {
    read = false;
    reasons.push("pragma: no-cache");
  }
  if (reasons.length === 0) return useCache;
  return { read, write, maxAgeMs, reason: reasons.join(", ") };
}
