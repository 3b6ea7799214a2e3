import type { BucketCost, BucketObservation, BucketState, BucketTake } from "../types/index.js";
import * as buckets from "./bucket.js";
import type { RedisConnection } from "./redis-connection.js";
import type { RedisKeys } from "./redis-keys.js";
import type { RedisLink } from "./redis-link.js";
import { decodeBucket, decodeBucketTake } from "./redis-bucket-record.js";
import type { RedisView } from "./redis-view.js";

/** What one node knows about one learned bucket. */
export interface BucketEntry {
  /** The last record adopted from Redis (or changed locally); null: none. */
  state: BucketState | null;
  /** This node's scripts for the bucket still waiting for their reply. */
  pending: number;
  /** The newest reply heard while scripts were pending. */
  stash: { state: BucketState | null } | null;
  /** Bumped on every local change and adoption (a sync only adopts into an untouched entry). */
  tick: number;
}

function encodeReading(reading: BucketObservation["requests"]): string[] {
  if (reading === null) return ["", "", ""];
  return [
    String(reading.capacity),
    String(reading.rate),
    reading.remaining === null ? "" : String(reading.remaining),
  ];
}

/** The observe script's arguments after `now` (see `redis-bucket-scripts.ts`). */
function observeArgs(observation: BucketObservation): string[] {
  const { mark, aimd } = observation;
  return [
    String(observation.sentAt),
    mark === null ? "" : String(mark.requests),
    mark === null ? "" : String(mark.tokens),
    observation.rejected ? "1" : "0",
    ...encodeReading(observation.requests),
    ...encodeReading(observation.tokens),
    observation.retryAt === null ? "" : String(observation.retryAt),
    String(observation.extraTokens),
    ...(aimd === null
      ? ["", "", "", "", "", "", ""]
      : [
          aimd.initialRate,
          aimd.burstMs,
          aimd.decrease,
          aimd.increase,
          aimd.slowStartIncrease,
          aimd.floorRate ?? 0,
          aimd.minCapacity ?? 0,
        ].map(String)),
  ];
}

/**
 * The learned buckets of a Redis store. `take` waits for its script (the one round trip of the hot
 * path) and decides on the view's record when Redis is unreachable; `release` and `observe` apply at
 * once to the view and are written through fire-and-forget. Every reply carries the whole record,
 * which the view adopts once none of this node's scripts for the bucket are pending (replies come in
 * order on one connection, so the last one includes them all).
 */
export class RedisBuckets {
  readonly #link: RedisLink;
  readonly #keys: RedisKeys;
  readonly #view: RedisView;

  constructor(link: RedisLink, keys: RedisKeys, view: RedisView) {
    this.#link = link;
    this.#keys = keys;
    this.#view = view;
  }

  take(key: string, now: number, cost: BucketCost): BucketTake | Promise<BucketTake> {
    const entry = this.#entry(key);
    const connection = this.#link.writable();
    if (!connection) return this.#takeLocally(entry, now, cost);
    return this.#takeShared(connection, key, entry, now, cost);
  }

  release(key: string, now: number, cost: BucketCost): void {
    const entry = this.#entry(key);
    if (entry.state && !buckets.isForgotten(entry.state, now)) buckets.release(entry.state, now, cost);
    const args = [String(now), String(cost.requests), String(cost.tokens)];
    this.#send(entry, (connection) =>
      connection.scripted.llmuxBucketRelease(this.#keys.bucket(key), ...args),
    );
  }

  observe(key: string, now: number, observation: BucketObservation): void {
    const entry = this.#entry(key);
    buckets.observe(this.#live(entry, now), now, observation);
    const args = [String(now), ...observeArgs(observation)];
    this.#send(entry, (connection) =>
      connection.scripted.llmuxBucketObserve(this.#keys.bucket(key), ...args),
    );
  }

  bucket(key: string, now: number): BucketState | null {
    const state = this.#view.buckets.get(key)?.state;
    return state && !buckets.isForgotten(state, now) ? buckets.rolled(state, now) : null;
  }

  #entry(key: string): BucketEntry {
    let entry = this.#view.buckets.get(key);
    if (!entry) {
      entry = { state: null, pending: 0, stash: null, tick: 0 };
      this.#view.buckets.set(key, entry);
    }
    return entry;
  }

  /** The entry's record for a local change (fresh when none or forgotten). */
  #live(entry: BucketEntry, now: number): BucketState {
    if (!entry.state || buckets.isForgotten(entry.state, now)) entry.state = buckets.freshBucket();
    this.#view.touch(entry);
    return entry.state;
  }

  #takeLocally(entry: BucketEntry, now: number, cost: BucketCost): BucketTake {
    return buckets.take(this.#live(entry, now), now, cost);
  }

  async #takeShared(
    connection: RedisConnection,
    key: string,
    entry: BucketEntry,
    now: number,
    cost: BucketCost,
  ): Promise<BucketTake> {
    entry.pending += 1;
    let reply: ReturnType<typeof decodeBucketTake>;
    try {
      await this.#link.clearing();
      const args = [String(now), String(cost.requests), String(cost.tokens)];
      reply = decodeBucketTake(await connection.scripted.llmuxBucketTake(this.#keys.bucket(key), ...args));
    } catch (error) {
      entry.pending -= 1;
      this.#settle(entry);
      this.#link.fail(error);
      return this.#takeLocally(entry, now, cost);
    }
    entry.pending -= 1;
    this.#offer(entry, reply.state);
    return reply.take;
  }

  #send(entry: BucketEntry, operation: (connection: RedisConnection) => Promise<unknown>): void {
    const sent = this.#link.send(
      operation,
      (reply) => {
        const state = decodeBucket(reply);
        entry.pending -= 1;
        this.#offer(entry, state);
      },
      () => {
        entry.pending -= 1;
        this.#settle(entry);
      },
    );
    if (sent) entry.pending += 1;
  }

  #offer(entry: BucketEntry, state: BucketState | null): void {
    entry.stash = { state };
    this.#settle(entry);
  }

  #settle(entry: BucketEntry): void {
    const stash = entry.stash;
    if (entry.pending > 0 || !stash) return;
    entry.stash = null;
    entry.state = stash.state;
    this.#view.touch(entry);
  }
}
