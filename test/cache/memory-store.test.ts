import { describe, expect, it } from "vitest";
import { MemoryCacheStore } from "../../src/core/cache/index.js";
import { cacheStoreContract } from "./store-contract.js";

cacheStoreContract("memory", async (maxEntryBytes) => {
  const store = new MemoryCacheStore({ maxEntryBytes });
  return { store, close: () => store.close() };
});

describe("MemoryCacheStore bounds", () => {
  const now = 1_700_000_000_000;
  const bytes = (size: number) => new Uint8Array(size);

  it("keeps at most maxEntries, evicting the least recently used, and counts evictions", async () => {
    const store = new MemoryCacheStore({ maxEntries: 2 });
    await store.set("a", bytes(1), 60_000, now);
    await store.set("b", bytes(1), 60_000, now);
    await store.get("a", now); // a is now more recent than b
    await store.set("c", bytes(1), 60_000, now);
    expect(await store.get("b", now)).toBeNull();
    expect(await store.get("a", now)).not.toBeNull();
    expect(await store.get("c", now)).not.toBeNull();
    expect(store.stats()).toEqual({ entries: 2, bytes: 2, evictions: 1 });
  });

  it("keeps at most maxBytes of values", async () => {
    const store = new MemoryCacheStore({ maxBytes: 100 });
    for (const key of ["a", "b", "c"]) await store.set(key, bytes(40), 60_000, now);
    expect(store.stats()).toEqual({ entries: 2, bytes: 80, evictions: 1 });
    expect(await store.get("a", now)).toBeNull();
    expect(await store.set("huge", bytes(101), 60_000, now)).toBe(false);
  });

  it("an expired entry is dropped when read and frees its room", async () => {
    const store = new MemoryCacheStore();
    await store.set("a", bytes(10), 1_000, now);
    expect(await store.get("a", now + 1_000)).toBeNull();
    expect(store.stats()).toMatchObject({ entries: 0, bytes: 0, evictions: 0 });
  });
});
