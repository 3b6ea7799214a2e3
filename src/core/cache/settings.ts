/**
 * Resolved cache settings (the config's `cache: { enabled, ttl_ms, max_entries, max_bytes }`; a model
 * group may say `cache: true | false`).
 */
export interface CacheSettings {
  /** Cache the groups that do not say otherwise (default false). */
  enabled: boolean;
  /** How long an answer is served (default 10 min). */
  ttlMs: number;
  /** Memory store: most entries (default 10 000). */
  maxEntries: number;
  /** Memory store: most bytes (default 64 MiB). */
  maxBytes: number;
  /** Largest single answer stored (default 4 MiB). */
  maxEntryBytes: number;
}

/** The defaults of {@link CacheSettings}. */
export const defaultCacheSettings: Readonly<CacheSettings> = Object.freeze({
  enabled: false,
  ttlMs: 10 * 60_000,
  maxEntries: 10_000,
  maxBytes: 64 * 1024 * 1024,
  maxEntryBytes: 4 * 1024 * 1024,
});

/** Whether a group is cached: its own `cache: true | false` when set, else the global `enabled`. */
export function cacheEnabledFor(
  settings: Pick<CacheSettings, "enabled">,
  groupCache: boolean | undefined,
): boolean {
  return groupCache ?? settings.enabled;
}
