import { KeyIndex } from "./spend-key-index.js";
import { SpendLedger } from "./spend-ledger.js";
import { SpendRollup } from "./spend-rollup.js";
import type {
  ReserveOutcome,
  ReserveRequest,
  SettleRequest,
  SpendDimension,
  SpendRow,
  SpendStore,
  VirtualKeyRecord,
} from "./spend-types.js";

/** Virtual keys and spend in this process only (lost on restart): tests, the library, one-off runs. */
export class MemorySpendStore implements SpendStore {
  readonly kind = "memory";
  readonly #keys = new KeyIndex();
  readonly #ledger = new SpendLedger();
  readonly #rollup = new SpendRollup();

  ready(): Promise<void> {
    return Promise.resolve();
  }

  saveKey(record: VirtualKeyRecord): Promise<void> {
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
    if (record && record.revokedAt === null) this.#keys.put({ ...record, revokedAt: at });
    return Promise.resolve(record !== null);
  }

  reserve(request: ReserveRequest): Promise<ReserveOutcome> {
    return Promise.resolve(this.#ledger.reserve(request));
  }

  settle(request: SettleRequest): void {
    this.#ledger.settle(request);
    if (request.counted) this.#rollup.add(request);
  }

  spent(keyId: string, periodStart: number): Promise<number> {
    return Promise.resolve(this.#ledger.spent(keyId, periodStart));
  }

  report(by: SpendDimension, since: number, now: number): Promise<SpendRow[]> {
    return Promise.resolve(this.#rollup.report(by, since, now));
  }

  flush(): Promise<void> {
    return Promise.resolve();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
