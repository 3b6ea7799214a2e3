import type { VirtualKeyRecord } from "./spend-types.js";

/** Virtual keys by id and by hash (a replaced key's old hash stops matching). */
export class KeyIndex {
  readonly #byId = new Map<string, VirtualKeyRecord>();
  readonly #byHash = new Map<string, VirtualKeyRecord>();

  put(record: VirtualKeyRecord): void {
    const previous = this.#byId.get(record.id);
    if (previous && previous.hash !== record.hash) this.#byHash.delete(previous.hash);
    const holder = this.#byHash.get(record.hash);
    if (holder && holder.id !== record.id) this.#byId.delete(holder.id);
    this.#byId.set(record.id, record);
    this.#byHash.set(record.hash, record);
  }

  byHash(hash: string): VirtualKeyRecord | null {
    return this.#byHash.get(hash) ?? null;
  }

  byId(id: string): VirtualKeyRecord | null {
    return this.#byId.get(id) ?? null;
  }

  /** Replaces everything (a resync). */
  replaceAll(records: Iterable<VirtualKeyRecord>): void {
    this.#byId.clear();
    this.#byHash.clear();
    for (const record of records) this.put(record);
  }

  all(): VirtualKeyRecord[] {
    return [...this.#byId.values()].sort((a, b) => a.createdAt - b.createdAt || (a.name < b.name ? -1 : 1));
  }
}
