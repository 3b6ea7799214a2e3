import type { Acquisition, CapacityLimits, DeploymentHealth, QuotaSnapshot } from "../types/index.js";
import * as capacity from "./capacity.js";
import { freshHealth } from "./health.js";
import type { BucketEntry } from "./redis-buckets.js";
import type { AcquireReply, VersionedHealth } from "./redis-record.js";

/** What one node knows about one deployment. Reads are plain property reads (no parsing). */
export interface ViewEntry {
  /** The live record `health()` returns; updated in place. */
  readonly health: DeploymentHealth;
  /** Version of the Redis record `health` was last adopted from (0: never). */
  version: number;
  /** This node's writes for the deployment still waiting for their reply. */
  pending: number;
  /** The newest record heard (reply or broadcast) while writes were pending. */
  stash: VersionedHealth | null;
  /** Bumped on every local change and adoption: a sync only adopts into an entry untouched since it read. */
  tick: number;
  /** Capacity counters (from the last acquire reply, or local ones while degraded); null: never acquired. */
  counters: capacity.CapacityCounters | null;
  /** The window length the counters were last kept for. */
  windowMs: number;
  quota: QuotaSnapshot | null;
}

/**
 * The in-process view of a Redis state store. Local operations apply to it at once (reads stay
 * synchronous); Redis replies and broadcasts then replace it with the authoritative record:
 *
 * - a record is adopted only once none of this node's writes for the deployment are pending (the
 *   reply to the last of them includes them all, and a broadcast of a higher version includes them
 *   too, because Redis orders the scripts), and only if its version is not older than the view's;
 * - a sync read is adopted only if the entry was not touched while it was in flight.
 */
export class RedisView {
  readonly entries = new Map<string, ViewEntry>();
  readonly cursors = new Map<string, number>();
  /** Learned buckets, by bucket key (see `RedisBuckets`). */
  readonly buckets = new Map<string, BucketEntry>();
  #tick = 0;

  /** The entry of a deployment, created fresh on first sight (so it is resynced from then on). */
  entry(deploymentId: string): ViewEntry {
    let entry = this.entries.get(deploymentId);
    if (!entry) {
      entry = {
        health: freshHealth(),
        version: 0,
        pending: 0,
        stash: null,
        tick: 0,
        counters: null,
        windowMs: 0,
        quota: null,
      };
      this.entries.set(deploymentId, entry);
    }
    return entry;
  }

  /** Marks a local change. */
  touch(entry: { tick: number }): number {
    this.#tick += 1;
    entry.tick = this.#tick;
    return entry.tick;
  }

  /** A record from a reply (after `pending` was decremented) or a broadcast. */
  offer(entry: ViewEntry, record: VersionedHealth): void {
    if (!entry.stash || record.version >= entry.stash.version) entry.stash = record;
    this.settle(entry);
  }

  /** Adopts the stashed record once nothing is pending. */
  settle(entry: ViewEntry): void {
    const stash = entry.stash;
    if (entry.pending > 0 || !stash) return;
    entry.stash = null;
    if (stash.version >= entry.version) this.adopt(entry, stash);
  }

  /** Replaces the entry's health with a record from Redis. */
  adopt(entry: ViewEntry, record: VersionedHealth): void {
    Object.assign(entry.health, record.health);
    entry.version = record.version;
    this.touch(entry);
  }

  /** Counters from an acquire reply; a reply for the window before the view's (a late `now`) is its previous. */
  adoptCounters(
    entry: ViewEntry,
    window: number,
    day: number,
    windowMs: number,
    counts: Omit<AcquireReply, "denied" | "retryAt">,
  ): void {
    const local = entry.counters;
    this.touch(entry);
    if (!local || window >= local.window || windowMs !== entry.windowMs) {
      entry.counters = { window, day, ...counts };
      entry.windowMs = windowMs;
    } else if (window === local.window - 1) {
      local.previousRequests = counts.requests;
      local.previousTokens = counts.tokens;
      if (day === local.day) local.requestsToday = counts.requestsToday;
    }
  }

  /** Decides on this node's counters alone (Redis unreachable). */
  acquireLocally(
    entry: ViewEntry,
    now: number,
    limits: CapacityLimits,
    tokens: number,
    windowMs: number,
  ): Acquisition {
    entry.counters ??= capacity.freshCounters();
    entry.windowMs = windowMs;
    this.touch(entry);
    return capacity.acquire(entry.counters, now, limits, tokens, windowMs);
  }

  clear(): void {
    this.entries.clear();
    this.cursors.clear();
    this.buckets.clear();
  }
}
