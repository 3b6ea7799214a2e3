import type { SimKeyOptions, SimLimits, SimOrgOptions, SimRateLimitHeaders } from "./limit-types.js";

/** One limit a request draws on: per-minute requests, tokens, input or output tokens, or per-day quotas. */
export type LimitDimension =
  "requests" | "tokens" | "input-tokens" | "output-tokens" | "requests-per-day" | "tokens-per-day";

/** Each dimension, the option that sets it, and whether it is per window (minute) or per day. */
export const DIMENSIONS: ReadonlyArray<
  readonly [dimension: LimitDimension, option: keyof SimLimits, period: "minute" | "day"]
> = [
  ["requests", "rpm", "minute"],
  ["tokens", "tpm", "minute"],
  ["input-tokens", "itpm", "minute"],
  ["output-tokens", "otpm", "minute"],
  ["requests-per-day", "rpd", "day"],
  ["tokens-per-day", "tpd", "day"],
];

/** Whose limits meter a request: the key itself, or the organisation it belongs to. */
export interface LimitOwner {
  /** Unique among owners: `key:<key>` or `org:<name>`. */
  readonly id: string;
  readonly key: string;
  /** The organisation, when the key has one. */
  readonly org: string | undefined;
  readonly limits: SimLimits;
  /** The key's header visibility (an org's keys may differ). */
  readonly headers: SimRateLimitHeaders;
}

/** Whether any limit is set. */
export function hasLimits(limits: SimLimits): boolean {
  return DIMENSIONS.some(([, option]) => limits[option] !== undefined);
}

/** Throws on options that cannot be honoured: a key with an org and limits of its own, a bad burst. */
export function checkKeyOptions(key: string, options: SimKeyOptions): void {
  if (options.org !== undefined && hasLimits(options)) {
    throw new Error(
      `simulator key "${key}": a key of org "${options.org}" draws on the org's limits and cannot have limits of its own`,
    );
  }
  checkBurst(`key "${key}"`, options.burst);
}

/** Throws when `burst` is set and not in (0, 1]. */
export function checkBurst(what: string, burst: number | undefined): void {
  if (burst !== undefined && !(burst > 0 && burst <= 1)) {
    throw new Error(`simulator ${what}: burst must be in (0, 1], got ${burst}`);
  }
}

/** The owner of a key's limits; undefined for unknown keys. */
export function ownerOf(
  key: string,
  keys: ReadonlyMap<string, SimKeyOptions>,
  orgs: ReadonlyMap<string, SimOrgOptions>,
): LimitOwner | undefined {
  const options = keys.get(key);
  if (options === undefined) return undefined;
  const headers = options.rateLimitHeaders ?? "all";
  if (options.org === undefined) return { id: `key:${key}`, key, org: undefined, limits: options, headers };
  const limits = orgs.get(options.org) ?? {};
  return { id: `org:${options.org}`, key, org: options.org, limits, headers };
}
