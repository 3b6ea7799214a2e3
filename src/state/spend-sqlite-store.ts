import type { Database } from "better-sqlite3";
import { KeyIndex } from "./spend-key-index.js";
import { SpendDeltas } from "./spend-deltas.js";
import { SpendLedger } from "./spend-ledger.js";
import { rowsOf } from "./spend-rollup.js";
import {
  keyOfRow,
  prepareDatabase,
  prepareStatements,
  rowOfKey,
  type SpendStatements,
} from "./spend-sqlite-schema.js";
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

export interface SqliteSpendStoreOptions {
  /** The database file (created when missing; `:memory:` for tests). Default `llmux-spend.db`. */
  path?: string;
  /** How often settled spend is written; default 1 000 ms. Also written on `flush` and `close`. */
  flushIntervalMs?: number;
  /** Pending rows that trigger a write before the interval; default 5 000. */
  flushRows?: number;
  /** Clock for loading the open budget windows; default `Date.now`. */
  now?: () => number;
  /** Told when a write fails (the rows are kept and retried with the next flush). */
  onError?: (error: unknown) => void;
}

/**
 * Opens the spend database (better-sqlite3, loaded on first use so that nothing else pays for the
 * native module). One process per file: budgets are counted in this process and written behind.
 */
export async function openSqliteSpendStore(options: SqliteSpendStoreOptions = {}): Promise<SqliteSpendStore> {
  const { default: Sqlite } = await import("better-sqlite3");
  return new SqliteSpendStore(new Sqlite(options.path ?? "llmux-spend.db"), options);
}

/**
 * Virtual keys and spend in an embedded SQLite file. Requests never wait for the disk: `reserve` and
 * `settle` work on the in-memory ledger (loaded from the file at open) and settled spend is summed
 * and written in one transaction every `flushIntervalMs` (or `flushRows`), on `flush` and on `close`,
 * so a restart sees every request settled before the last write. Key changes are written at once.
 */
export class SqliteSpendStore implements SpendStore {
  readonly kind = "sqlite";
  readonly #database: Database;
  readonly #statements: SpendStatements;
  readonly #keys = new KeyIndex();
  readonly #ledger = new SpendLedger();
  readonly #deltas = new SpendDeltas();
  readonly #flushRows: number;
  readonly #onError: (error: unknown) => void;
  readonly #timer: NodeJS.Timeout;
  readonly #write: (drained: ReturnType<SpendDeltas["drain"]>) => void;
  #closed = false;
  /** The latest `now` settled: windows that ended a day before it are dropped from the ledger. */
  #latest = 0;

  constructor(database: Database, options: SqliteSpendStoreOptions = {}) {
    this.#database = database;
    prepareDatabase(database);
    this.#statements = prepareStatements(database);
    this.#flushRows = options.flushRows ?? 5_000;
    this.#onError = options.onError ?? (() => {});
    this.#write = database.transaction((drained: ReturnType<SpendDeltas["drain"]>) =>
      this.#writeRows(drained),
    );
    for (const row of this.#statements.allKeys.all()) this.#keys.put(keyOfRow(row));
    const now = (options.now ?? Date.now)();
    for (const row of this.#statements.openSpend.all({ now })) {
      this.#ledger.setSpent(row.key_id, row.period_start, row.period_end ?? Infinity, row.spent_nano_usd);
    }
    this.#timer = setInterval(() => this.#flushNow(), options.flushIntervalMs ?? 1_000);
    this.#timer.unref();
  }

  ready(): Promise<void> {
    return Promise.resolve();
  }

  saveKey(record: VirtualKeyRecord): Promise<void> {
    this.#statements.saveKey.run(rowOfKey(record));
    this.#keys.put({ ...record });
    return Promise.resolve();
  }

  findKey(hash: string): Promise<VirtualKeyRecord | null> {
    return Promise.resolve(this.#keys.byHash(hash));
  }

  listKeys(): Promise<VirtualKeyRecord[]> {
    return Promise.resolve(this.#keys.all());
  }

  revokeKey(id: string, at: number): Promise<boolean> {
    const record = this.#keys.byId(id);
    if (record && record.revokedAt === null) {
      this.#statements.revokeKey.run({ id, at });
      this.#keys.put({ ...record, revokedAt: at });
    }
    return Promise.resolve(record !== null);
  }

  reserve(request: ReserveRequest): Promise<ReserveOutcome> {
    return Promise.resolve(this.#ledger.reserve(request));
  }

  settle(request: SettleRequest): void {
    this.#ledger.settle(request);
    this.#deltas.add(request);
    this.#latest = Math.max(this.#latest, request.now);
    if (this.#deltas.size >= this.#flushRows) this.#flushNow();
  }

  spent(keyId: string, periodStart: number): Promise<number> {
    return Promise.resolve(this.#ledger.spent(keyId, periodStart));
  }

  report(by: SpendDimension, since: number, _now: number): Promise<SpendRow[]> {
    this.#flushNow();
    const totals = new Map<string, SpendTotals>();
    for (const row of this.#statements.report[by].all({ since: Math.floor(since / 60_000) * 60_000 })) {
      totals.set(row.name, {
        nanoUsd: row.nano,
        requests: row.requests,
        promptTokens: row.prompt_tokens,
        completionTokens: row.completion_tokens,
      });
    }
    return Promise.resolve(rowsOf(totals));
  }

  flush(): Promise<void> {
    this.#flushNow();
    return Promise.resolve();
  }

  close(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    clearInterval(this.#timer);
    this.#flushNow();
    this.#closed = true;
    this.#database.close();
    return Promise.resolve();
  }

  #flushNow(): void {
    if (this.#closed || this.#deltas.size === 0) return;
    const drained = this.#deltas.drain();
    try {
      this.#write(drained);
      this.#ledger.prune(this.#latest - 86_400_000);
    } catch (error) {
      this.#deltas.restore(drained);
      this.#onError(error);
    }
  }

  #writeRows(drained: ReturnType<SpendDeltas["drain"]>): void {
    for (const delta of drained.spend) {
      this.#statements.addSpend.run({
        key_id: delta.keyId,
        period_start: delta.periodStart,
        period_end: Number.isFinite(delta.periodEnd) ? delta.periodEnd : null,
        nano: delta.nano,
      });
    }
    for (const delta of drained.minutes) {
      this.#statements.addMinute.run({
        minute: delta.minute,
        key_id: delta.keyId,
        group_name: delta.group,
        deployment_id: delta.deploymentId,
        nano: delta.nanoUsd,
        requests: delta.requests,
        prompt_tokens: delta.promptTokens,
        completion_tokens: delta.completionTokens,
      });
    }
  }
}
