import { createHash, createHmac, timingSafeEqual } from "node:crypto";

/** The dashboard's login cookie. */
export const uiCookieName = "llmux_ui";

function digest(value: string): Buffer {
  return createHash("sha256").update(value).digest();
}

function signature(keyDigest: Buffer, expiresAt: number): Buffer {
  return createHmac("sha256", keyDigest).update(`llmux-ui:${expiresAt}`).digest();
}

/** The value of cookie `name` in a `Cookie` header, or null. */
export function cookieValue(header: string | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}

/**
 * Who may open the web dashboard: anyone holding a gateway key or the admin key, presented as a
 * Bearer header (tools) or once through the login form, which sets a signed cookie (people). The
 * cookie holds no key: `v1.<expiry>.<HMAC-SHA256 of the expiry under the key's SHA-256>`, so every
 * node with the same keys accepts it, and it dies with its key (rotate a key and its logins end).
 * Keys are compared as digests in constant time, every key each time.
 */
export class UiAuth {
  #digests: Buffer[] = [];

  constructor(keys: readonly string[]) {
    this.replace(keys);
  }

  /** Swaps the keys (a config reload). */
  replace(keys: readonly string[]): void {
    this.#digests = [...new Set(keys.filter((key) => key !== ""))].map(digest);
  }

  /** True when no key is configured: the dashboard is as open as the gateway. */
  get open(): boolean {
    return this.#digests.length === 0;
  }

  /** Does `candidate` match a key? */
  matches(candidate: string | null): boolean {
    if (candidate === null || candidate === "") return false;
    const probe = digest(candidate);
    let found = false;
    for (const known of this.#digests) found = timingSafeEqual(probe, known) || found;
    return found;
  }

  /** A login token for `key` (which must match) valid until `expiresAt`; null when the key is wrong. */
  issue(key: string, expiresAt: number): string | null {
    if (!this.matches(key)) return null;
    const mac = signature(digest(key), expiresAt).toString("base64url");
    return `v1.${expiresAt}.${mac}`;
  }

  /** Is `token` one `issue` made under a current key, not expired at `now`? */
  verify(token: string | null, now: number): boolean {
    if (token === null) return false;
    const match = /^v1\.(\d{1,16})\.([A-Za-z0-9_-]{43})$/.exec(token);
    if (!match?.[1] || !match[2]) return false;
    const expiresAt = Number(match[1]);
    if (!(expiresAt > now)) return false;
    const presented = Buffer.from(match[2], "base64url");
    if (presented.length !== 32) return false;
    let found = false;
    for (const known of this.#digests)
      found = timingSafeEqual(presented, signature(known, expiresAt)) || found;
    return found;
  }
}
