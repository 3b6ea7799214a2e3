import { createHash, timingSafeEqual } from "node:crypto";

declare module "fastify" {
  interface FastifyInstance {
    /** The gateway keys clients must present; `replace()` swaps them on a config reload. */
    llmuxKeys: GatewayKeys;
  }
}

function digest(value: string): Buffer {
  return createHash("sha256").update(value).digest();
}

/**
 * Checks gateway keys in constant time: every configured key is compared (as SHA-256 digests, so
 * lengths never leak) whatever the outcome.
 */
export class GatewayKeys {
  #digests: Buffer[];

  constructor(keys: readonly string[]) {
    this.#digests = keys.filter((key) => key !== "").map(digest);
  }

  /** Swaps the keys at once (a config reload): requests checked from now on see the new ones. */
  replace(keys: readonly string[]): void {
    this.#digests = keys.filter((key) => key !== "").map(digest);
  }

  /** True when no key is configured (the gateway is open). */
  get open(): boolean {
    return this.#digests.length === 0;
  }

  /** Does `candidate` match one of the keys? */
  matches(candidate: string | null): boolean {
    if (candidate === null || candidate === "") return false;
    const probe = digest(candidate);
    let found = false;
    for (const known of this.#digests) found = timingSafeEqual(probe, known) || found;
    return found;
  }
}

/** The key a client sent: `Authorization: Bearer <key>` or `x-api-key: <key>`. */
export function presentedKey(
  headers: Readonly<Record<string, string | string[] | undefined>>,
): string | null {
  const authorization = headers["authorization"];
  if (typeof authorization === "string") {
    const match = /^Bearer\s+(.+)$/i.exec(authorization.trim());
    if (match?.[1]) return match[1].trim();
  }
  const apiKey = headers["x-api-key"];
  return typeof apiKey === "string" && apiKey !== "" ? apiKey.trim() : null;
}
