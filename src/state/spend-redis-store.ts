import { randomBytes } from "node:crypto";
import { isRecord, safeJsonParse } from "../util/index.js";
import type { StoreStatus } from "../types/index.js";
import type { RedisConnection } from "./redis-connection.js";
import { RedisLink } from "./redis-link.js";
import type { SyncPlan } from "./redis-sync.js";
import { parseRedisUrl } from "./redis-url.js";
import { decodeKey, decodeKeyRecords, decodeReserve, encodeKey, sumBuckets } from "./spend-redis-codec.js";
import { reportCommands } from "./spend-redis-report.js";
import { spendRedisKeys, spendTtl, type SpendRedisKeys } from "./spend-redis-keys.js";
import { reserveArgs, runScript, settleArgs, spendScripts } from "./spend-redis-scripts.js";
import { KeyIndex } from "./spend-key-index.js";
import { SpendDeltas } from "./spend-deltas.js";
import { keyWindowMs, SpendLedger } from "./spend-ledger.js";
import { reportBuckets, rowsOf } from "./spend-rollup.js";
import type {
  ReserveOutcome,
  ReserveRequest,
  SettleRequest,
  SpendDimension,
  SpendRow,
  SpendStore,
  SpendTotals,
  VirtualKeyRecord,
} from "./spend-types.js";

export interface RedisSpendStoreOptions {
  /** Same URL forms as the state store (`redis://`, `rediss://`, sentinel, cluster). */
  url: string;
  /** Prefix of every key; default `llmux:` (the state store's keys do not collide with these). */
  prefix?: string;
  /** How often report totals are written (HINCRBY in one pipeline); default 1 000 ms. */
  flushIntervalMs?: number;
  /** How often the key records are re-read (heals missed broadcasts); default 5 000 ms. */
  syncIntervalMs?: number;
  connectTimeoutMs?: number;
  commandTimeoutMs?: number;
  onStatusChange?: (status: StoreStatus, detail: string) => void;
  /** Settles kept while Redis is away, replayed when it is back; default 100 000 (then the oldest are dropped). */
  maxUnsent?: number;
}

/** The store's writes need Redis; admin operations say so rather than diverge between nodes. */
export class SpendStoreUnavailableError extends Error {
  constructor() {
    super("The spend store's Redis is unavailable; try again when it is back.");
    this.name = "SpendStoreUnavailableError";
  }
}

/** Shares virtual keys and spend between llmux nodes through Redis (see `RedisSpendStore`). */
export function createRedisSpendStore(options: RedisSpendStoreOptions): RedisSpendStore {
  return new RedisSpendStore(options);
}

/**
 * Virtual keys and spend shared by every node through Redis.
 *
 * - `reserve` is one atomic script (EVALSHA, one round trip) that expires lost reservations, checks
 *   the budget against spent + held + this request, checks the key's per-minute windows and holds
 *   the estimate: N nodes together never hold more than the budget.
 * - `settle` is one script sent behind the request (fire-and-forget): it releases the hold and adds
 *   the real cost. Report totals are summed in memory and written every `flushIntervalMs`.
 * - Key records are read into a view at connect and every `syncIntervalMs`, and changes are
 *   broadcast on `<prefix>vk:events`; a lookup that misses the view asks Redis once.
 * - While Redis is away, reservations are decided on this node's ledger (the last spend Redis
 *   reported plus what this node did since) and settles are queued and replayed when it is back.
 */
export class RedisSpendStore implements SpendStore {
  readonly kind = "redis";
  readonly #keys: SpendRedisKeys;
  readonly #view = new KeyIndex();
  readonly #ledger = new SpendLedger();
  readonly #reports = new SpendDeltas();
  readonly #local = new Set<string>();
  readonly #unsent: SettleRequest[] = [];
  readonly #maxUnsent: number;
  readonly #node = randomBytes(8).toString("hex");
  readonly #link: RedisLink;
  readonly #timer: NodeJS.Timeout;

  constructor(options: RedisSpendStoreOptions) {
    this.#keys = spendRedisKeys(options.prefix ?? "llmux:");
    this.#maxUnsent = options.maxUnsent ?? 100_000;
    const link = {
      channel: this.#keys.channel,
      connectTimeoutMs: options.connectTimeoutMs ?? 2_000,
      commandTimeoutMs: options.commandTimeoutMs ?? 1_000,
      syncIntervalMs: options.syncIntervalMs ?? 5_000,
      onStatusChange: options.onStatusChange,
    };
    this.#link = new RedisLink(parseRedisUrl(options.url), link, {
      planSync: () => this.#planSync(),
      message: (text) => this.#onMessage(text),
    });
    this.#timer = setInterval(() => void this.flush(), options.flushIntervalMs ?? 1_000);
    this.#timer.unref();
  }

  /** `connected` once synced with Redis; `degraded` before and while Redis is unreachable. */
  get status(): StoreStatus {
    return this.#link.status;
  }

  async ready(): Promise<void> {
    await this.#link.ready();
  }

  async saveKey(record: VirtualKeyRecord): Promise<void> {
    const connection = this.#writable();
    const message = JSON.stringify({ n: this.#node, i: record.id });
    await runScript(
      connection,
      spendScripts.saveKey,
      [this.#keys.records, this.#keys.hashes],
      [record.id, encodeKey(record), record.hash, this.#keys.channel, message],
    );
    this.#view.put({ ...record });
  }

  async findKey(hash: string): Promise<VirtualKeyRecord | null> {
    const known = this.#view.byHash(hash);
    if (known) return known;
    const connection = this.#link.writable();
    if (!connection) return null;
    const record = decodeKey(
      await runScript(connection, spendScripts.findKey, [this.#keys.records, this.#keys.hashes], [hash]),
    );
    if (record) this.#view.put(record);
    return record;
  }

  async listKeys(): Promise<VirtualKeyRecord[]> {
    const connection = this.#link.writable();
    if (connection) this.#planSync().apply([await connection.call(["hgetall", this.#keys.records])]);
    return this.#view.all();
  }

  async revokeKey(id: string, at: number): Promise<boolean> {
    const connection = this.#writable();
    const record = decodeKey(await connection.call(["hget", this.#keys.records, id]));
    if (!record) return false;
    if (record.revokedAt === null) await this.saveKey({ ...record, revokedAt: at });
    return true;
  }

  async reserve(request: ReserveRequest): Promise<ReserveOutcome> {
    const connection = this.#link.writable();
    if (connection) {
      try {
        const outcome = decodeReserve(
          await runScript(
            connection,
            spendScripts.reserve,
            this.#scriptKeys(request.keyId, request.budget?.periodStart ?? 0, request.now, true),
            reserveArgs(request),
          ),
        );
        if (request.budget && (outcome.ok || outcome.reason === "budget")) {
          const { periodStart, periodEnd } = request.budget;
          this.#ledger.setSpent(request.keyId, periodStart, periodEnd, outcome.spentNanoUsd);
        }
        return outcome;
      } catch (error) {
        this.#link.fail(error);
      }
    }
    this.#local.add(request.reservationId);
    return this.#ledger.reserve(request);
  }

  settle(request: SettleRequest): void {
    this.#reports.add(request, false);
    if (request.keyId === null) return;
    const local = request.reservationId !== null && this.#local.delete(request.reservationId);
    if (local) this.#ledger.settle(request);
    else if (request.periodStart !== null) {
      this.#ledger.add(
        request.keyId,
        request.periodStart,
        request.periodEnd ?? Infinity,
        request.amountNanoUsd,
      );
    }
    this.#sendSettle(local ? { ...request, reservationId: null, tokensDelta: 0 } : request);
  }

  async spent(keyId: string, periodStart: number): Promise<number> {
    const connection = this.#link.writable();
    if (!connection) return this.#ledger.spent(keyId, periodStart);
    return Number((await connection.call(["get", this.#keys.spent(keyId, periodStart)])) ?? 0);
  }

  async report(by: SpendDimension, since: number, now: number): Promise<SpendRow[]> {
    await this.flush();
    const connection = this.#writable();
    const { minutes, hours } = reportBuckets(since, now, spendTtl.minuteRetentionMs);
    const commands = [
      ...minutes.map((start) => ["hgetall", this.#keys.minute(start)]),
      ...hours.map((start) => ["hgetall", this.#keys.hour(start)]),
    ];
    const totals = new Map<string, SpendTotals>();
    sumBuckets(await connection.batch(commands), by, totals);
    return rowsOf(totals);
  }

  /** Writes pending report totals and queued settles; resolves when Redis has answered them. */
  async flush(): Promise<void> {
    const connection = this.#link.writable();
    if (connection) {
      const drained = this.#reports.drain();
      if (drained.minutes.length > 0) {
        try {
          await connection.batch(reportCommands(this.#keys, drained.minutes));
        } catch (error) {
          this.#reports.restore(drained);
          this.#link.fail(error);
        }
      }
      for (const request of this.#unsent.splice(0)) this.#sendSettle(request);
    }
    await this.#link.flush();
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
    await this.flush();
    await this.#link.close();
  }

  #writable(): RedisConnection {
    const connection = this.#link.writable();
    if (!connection) throw new SpendStoreUnavailableError();
    return connection;
  }

  #scriptKeys(keyId: string, periodStart: number, now: number, withPrevious: boolean): string[] {
    const index = Math.floor(now / keyWindowMs);
    const keys = [
      this.#keys.spent(keyId, periodStart),
      this.#keys.held(keyId),
      this.#keys.amounts(keyId),
      this.#keys.window(keyId, index),
    ];
    if (withPrevious) keys.push(this.#keys.window(keyId, index - 1));
    return keys;
  }

  #sendSettle(request: SettleRequest): void {
    const keyId = request.keyId;
    if (keyId === null) return;
    const periodStart = request.periodStart ?? 0;
    const periodEnd = request.periodEnd ?? Infinity;
    const args = settleArgs(request);
    const keys = this.#scriptKeys(keyId, periodStart, request.now, false);
    const queue = () => {
      this.#unsent.push(request);
      if (this.#unsent.length > this.#maxUnsent) this.#unsent.shift();
    };
    const sent = this.#link.send(
      (connection) => runScript(connection, spendScripts.settle, keys, args),
      (reply) => {
        if (request.periodStart !== null) this.#ledger.setSpent(keyId, periodStart, periodEnd, Number(reply));
      },
      queue,
    );
    if (!sent) queue();
  }

  #planSync(): SyncPlan {
    return {
      commands: [["hgetall", this.#keys.records]],
      apply: (results) => {
        const records = decodeKeyRecords(results[0]);
        this.#view.replaceAll(records);
        return records.length;
      },
    };
  }

  #onMessage(text: string): void {
    const message = safeJsonParse(text);
    const id = isRecord(message) ? message["i"] : undefined;
    if (typeof id !== "string") return;
    this.#link.send(
      (connection) => connection.call(["hget", this.#keys.records, id]),
      (reply) => {
        const record = decodeKey(reply);
        if (record) this.#view.put(record);
      },
    );
  }
}
