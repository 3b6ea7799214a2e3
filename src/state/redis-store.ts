import { randomBytes } from "node:crypto";
import type {
  Acquisition,
  Admission,
  BucketCost,
  BucketObservation,
  BucketState,
  BucketTake,
  CapacityLimits,
  CircuitChange,
  CircuitPolicy,
  DeploymentHealth,
  FailureKind,
  QuotaSnapshot,
  StateStore,
  StoreStatus,
} from "../types/index.js";
import { isRecord, safeJsonParse } from "../util/index.js";
import * as capacity from "./capacity.js";
import * as transitions from "./health.js";
import { RedisBuckets } from "./redis-buckets.js";
import type { RedisConnection } from "./redis-connection.js";
import { redisKeys, ttl, type RedisKeys } from "./redis-keys.js";
import { decodeAcquire, decodeHealth } from "./redis-record.js";
import { acquireCall, type HealthScript } from "./redis-scripts.js";
import { planSync } from "./redis-sync.js";
import { RedisLink } from "./redis-link.js";
import { parseRedisUrl } from "./redis-url.js";
import { RedisView, type ViewEntry } from "./redis-view.js";

export interface RedisStateStoreOptions {
  /** `redis://`, `rediss://`, `redis-sentinel://…/<master>` or `redis-cluster://…` (see `parseRedisUrl`). */
  url: string;
  /** Prefix of every key and of the `<prefix>events` channel; default `llmux:`. */
  prefix?: string;
  /** Called once per transition between `connected` and `degraded` (never per failed command). */
  onStatusChange?: (status: StoreStatus, detail: string) => void;
  /** How long one connection attempt may take; default 2 000 ms. */
  connectTimeoutMs?: number;
  /** How long a command may take before the store decides locally; default 1 000 ms. */
  commandTimeoutMs?: number;
  /** How often the view is resynced from Redis (heals missed broadcasts); default 5 000 ms. */
  syncIntervalMs?: number;
  /** Clock for operations without a `now` parameter (cooldown, enable) and for syncs; default `Date.now`. */
  now?: () => number;
}

/** Shares deployment state between llmux nodes through Redis (see `RedisStateStore`). */
export function createRedisStateStore(options: RedisStateStoreOptions): RedisStateStore {
  return new RedisStateStore(options);
}

/** Nothing for `recordSuccess` to reset. */
function isClean(health: Readonly<DeploymentHealth>): boolean {
  return (
    health.circuit === "closed" &&
    health.consecutiveFailures === 0 &&
    health.backoffLevel === 0 &&
    health.circuitOpenCount === 0 &&
    health.probeLeaseUntil === 0 &&
    health.circuitOpenUntil === 0
  );
}

/**
 * A state store shared by every node through Redis.
 *
 * - Every operation applies at once to an in-process view (reads stay synchronous; the hot path
 *   never waits for Redis except `acquire`) and is written through as one atomic Lua script
 *   (EVALSHA) whose reply — the authoritative record — then replaces the view's.
 * - Health changes are published on `<prefix>events` and applied by the other nodes; on every
 *   (re)connect and every `syncIntervalMs` the view is resynced in one pipelined round trip.
 * - `acquire` waits for its script (one round trip) and decides on the view's counters when Redis
 *   fails or is unreachable. The half-open probe lease is exclusive across nodes only up to one
 *   broadcast delay: two nodes admitting in the same millisecond may both probe.
 * - Cursors are near-shared: the view's value is returned at once and Redis' counter (INCR), adopted
 *   when it is ahead, keeps the nodes' round-robin positions roughly in step.
 * - Times are the callers' (`now`), not Redis TIME, so fake clocks work; nodes' clocks must be
 *   roughly in sync. Key TTLs are relative (see `redis-keys.ts`).
 * - Redis going away never fails a request: the store turns `degraded` (one `onStatusChange`), keeps
 *   serving from its view, and once ioredis has reconnected resyncs — Redis wins, so changes made
 *   while degraded are dropped — and turns `connected` again.
 * - `clear` deletes every key under the prefix: prefixes of different stores must not nest.
 */
export class RedisStateStore implements StateStore {
  readonly #keys: RedisKeys;
  readonly #view = new RedisView();
  /** Identifies this node's broadcasts. */
  readonly #node = randomBytes(8).toString("hex");
  readonly #now: () => number;
  readonly #link: RedisLink;
  readonly #buckets: RedisBuckets;

  constructor(options: RedisStateStoreOptions) {
    const target = parseRedisUrl(options.url);
    this.#keys = redisKeys(options.prefix ?? "llmux:");
    this.#now = options.now ?? Date.now;
    const link = {
      channel: this.#keys.channel,
      connectTimeoutMs: options.connectTimeoutMs ?? 2_000,
      commandTimeoutMs: options.commandTimeoutMs ?? 1_000,
      syncIntervalMs: options.syncIntervalMs ?? 5_000,
      onStatusChange: options.onStatusChange,
    };
    this.#link = new RedisLink(target, link, {
      planSync: () => planSync(this.#view, this.#keys, this.#now()),
      message: (text) => this.#onMessage(text),
    });
    this.#buckets = new RedisBuckets(this.#link, this.#keys, this.#view);
  }

  /** `connected` once synced with Redis; `degraded` before and while Redis is unreachable. */
  get status(): StoreStatus {
    return this.#link.status;
  }

  /** Resolves with the first status reached (connected, or degraded when the first attempt fails). */
  ready(): Promise<StoreStatus> {
    return this.#link.ready();
  }

  /** Resolves once every write issued so far has been answered (or has failed). */
  flush(): Promise<void> {
    return this.#link.flush();
  }

  health(deploymentId: string): Readonly<DeploymentHealth> {
    return this.#view.entry(deploymentId).health;
  }

  admit(deploymentId: string, now: number, probeLeaseMs: number): Admission {
    const entry = this.#view.entry(deploymentId);
    const admission = transitions.admit(entry.health, now, probeLeaseMs);
    if (admission.ok && admission.probe)
      this.#write(deploymentId, entry, "llmuxAdmit", now, [String(probeLeaseMs)]);
    return admission;
  }

  coolDown(deploymentId: string, until: number, reason: FailureKind, escalate: boolean): void {
    const entry = this.#view.entry(deploymentId);
    transitions.coolDown(entry.health, until, reason, escalate);
    this.#write(deploymentId, entry, "llmuxCoolDown", this.#now(), [
      String(until),
      reason,
      escalate ? "1" : "0",
    ]);
  }

  recordFailure(deploymentId: string, now: number, policy: CircuitPolicy): CircuitChange | null {
    const entry = this.#view.entry(deploymentId);
    const change = transitions.recordFailure(entry.health, now, policy);
    const args = [policy.failureThreshold, policy.openMs, policy.maxOpenMs].map(String);
    this.#write(deploymentId, entry, "llmuxFailure", now, args);
    return change;
  }

  recordSuccess(deploymentId: string, now: number): CircuitChange | null {
    const entry = this.#view.entries.get(deploymentId);
    // The common case (nothing to reset; the view hears every failure) costs no round trip.
    if (!entry || isClean(entry.health)) return null;
    const change = transitions.recordSuccess(entry.health);
    this.#write(deploymentId, entry, "llmuxSuccess", now, []);
    return change;
  }

  disable(deploymentId: string, reason: string, now: number): void {
    const entry = this.#view.entry(deploymentId);
    transitions.disable(entry.health, reason, now);
    this.#write(deploymentId, entry, "llmuxDisable", now, [reason]);
  }

  enable(deploymentId: string): void {
    const entry = this.#view.entry(deploymentId);
    Object.assign(entry.health, transitions.freshHealth());
    this.#write(deploymentId, entry, "llmuxEnable", this.#now(), []);
  }

  acquire(
    deploymentId: string,
    now: number,
    limits: CapacityLimits,
    tokens: number,
    windowMs: number,
  ): Acquisition | Promise<Acquisition> {
    if (limits.rpm === null && limits.tpm === null && limits.rpd === null) return { ok: true };
    const entry = this.#view.entry(deploymentId);
    const connection = this.#link.writable();
    if (!connection) return this.#view.acquireLocally(entry, now, limits, tokens, windowMs);
    return this.#acquireShared(connection, deploymentId, entry, now, limits, tokens, windowMs);
  }

  async #acquireShared(
    connection: RedisConnection,
    deploymentId: string,
    entry: ViewEntry,
    now: number,
    limits: CapacityLimits,
    tokens: number,
    windowMs: number,
  ): Promise<Acquisition> {
    const call = acquireCall(this.#keys, deploymentId, now, limits, tokens, windowMs);
    try {
      await this.#link.clearing();
      const { denied, retryAt, ...counts } = decodeAcquire(
        await connection.scripted.llmuxAcquire(...call.args),
      );
      this.#view.adoptCounters(entry, call.window, call.day, windowMs, counts);
      return denied === null ? { ok: true } : { ok: false, dimension: denied, retryAt };
    } catch (error) {
      this.#link.fail(error);
      return this.#view.acquireLocally(entry, now, limits, tokens, windowMs);
    }
  }

  adjustTokens(deploymentId: string, now: number, delta: number, windowMs: number): void {
    const entry = this.#view.entries.get(deploymentId);
    const counters = entry?.counters;
    if (!entry || !counters) return;
    capacity.adjustTokens(counters, now, delta, windowMs);
    this.#view.touch(entry);
    const window = Math.floor(now / windowMs);
    const key = this.#keys.window(deploymentId, windowMs, window);
    this.#link.send(
      (connection) => connection.scripted.llmuxAdjust(key, String(delta), String(ttl.windows * windowMs)),
      (reply) => {
        const tokens = Number(reply);
        if (entry.counters?.window === window && Number.isFinite(tokens)) entry.counters.tokens = tokens;
      },
    );
  }

  usage(
    deploymentId: string,
    now: number,
    windowMs: number,
  ): { requests: number; tokens: number; requestsToday: number } {
    const counters = this.#view.entries.get(deploymentId)?.counters;
    return counters ? capacity.usage(counters, now, windowMs) : { requests: 0, tokens: 0, requestsToday: 0 };
  }

  recordQuota(deploymentId: string, snapshot: QuotaSnapshot): void {
    const entry = this.#view.entry(deploymentId);
    entry.quota = snapshot;
    this.#view.touch(entry);
    const key = this.#keys.quota(deploymentId);
    this.#link.send((connection) =>
      connection.call(["set", key, JSON.stringify(snapshot), "PX", String(ttl.quotaMs)]),
    );
  }

  quota(deploymentId: string): QuotaSnapshot | null {
    return this.#view.entries.get(deploymentId)?.quota ?? null;
  }

  /** One round trip (the record comes back with the verdict); decided on the view while Redis is away. */
  takeBucket(key: string, now: number, cost: BucketCost): BucketTake | Promise<BucketTake> {
    return this.#buckets.take(key, now, cost);
  }

  releaseBucket(key: string, now: number, cost: BucketCost): void {
    this.#buckets.release(key, now, cost);
  }

  observeBucket(key: string, now: number, observation: BucketObservation): void {
    this.#buckets.observe(key, now, observation);
  }

  bucket(key: string, now: number): BucketState | null {
    return this.#buckets.bucket(key, now);
  }

  /** The view's next value; Redis' shared counter, adopted when it is ahead, keeps nodes roughly in step. */
  nextCursor(key: string): number {
    const cursors = this.#view.cursors;
    const value = cursors.get(key) ?? 0;
    cursors.set(key, value + 1);
    this.#link.send(
      (connection) => connection.scripted.llmuxCursor(this.#keys.cursor(key)),
      (reply) => {
        const shared = Number(reply);
        if (cursors.has(key) && shared > (cursors.get(key) ?? 0)) cursors.set(key, shared);
      },
    );
    return value;
  }

  /** Forgets everything here and in Redis (every key under the prefix), and tells the other nodes. */
  clear(): void {
    this.#view.clear();
    this.#link.clear(this.#keys.prefix, JSON.stringify({ n: this.#node, c: 1 }));
  }

  /** Waits for pending writes, then quits both connections and stops the sync timer. */
  close(): Promise<void> {
    return this.#link.close();
  }

  /** Marks a local health change and writes it through (the reply's record then replaces the view's). */
  #write(deploymentId: string, entry: ViewEntry, script: HealthScript, now: number, args: string[]): void {
    this.#view.touch(entry);
    const key = this.#keys.health(deploymentId);
    const { channel } = this.#keys;
    const sent = this.#link.send(
      (connection) =>
        connection.scripted[script](key, String(now), channel, this.#node, deploymentId, ...args),
      (reply) => {
        const record = decodeHealth(reply);
        entry.pending -= 1;
        this.#view.offer(entry, record);
      },
      () => {
        entry.pending -= 1;
        this.#view.settle(entry);
      },
    );
    if (sent) entry.pending += 1;
  }

  #onMessage(text: string): void {
    const message = safeJsonParse(text);
    if (!isRecord(message) || message["n"] === this.#node) return;
    if (message["c"] === 1) return this.#view.clear();
    const deploymentId = message["i"];
    if (typeof deploymentId !== "string") return;
    try {
      this.#view.offer(this.#view.entry(deploymentId), decodeHealth(message["r"]));
    } catch {
      // Not a record this version understands (a newer node?): the periodic sync covers it.
    }
  }
}
