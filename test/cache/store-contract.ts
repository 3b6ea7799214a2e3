import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { answerFromChunks, ResponseCache, type CacheStore } from "../../src/core/cache/index.js";
import { FakeClock } from "../helpers/fake-clock.js";
import { streamChunks } from "./answers.js";

/** A store under test; `peer` (optional) is a second handle on the same backend, as another node sees it. */
export interface CacheStoreSubject {
  store: CacheStore;
  peer?: CacheStore;
  close(): Promise<void>;
}

const allBytes = Uint8Array.from({ length: 256 }, (_, index) => index);
const minute = 60_000;
/** The entry bound every subject is made with. */
const entryBound = 4_096;

/** Behaviour every CacheStore must have, on a fake clock (undici's `cacheStoreTests` pattern). */
export function cacheStoreContract(
  name: string,
  make: (maxEntryBytes: number) => Promise<CacheStoreSubject>,
): void {
  describe(`CacheStore contract: ${name}`, () => {
    let subject: CacheStoreSubject;
    let store: CacheStore;
    let clock: FakeClock;
    beforeEach(async () => {
      subject = await make(entryBound);
      store = subject.store;
      clock = new FakeClock();
    });
    afterEach(async () => subject.close());

    it("an unknown key is null", async () => {
      expect(await store.get("nothing", clock.now())).toBeNull();
    });

    it("gives back exactly the bytes stored: binary-safe, every byte value", async () => {
      expect(await store.set("k", allBytes, minute, clock.now())).toBe(true);
      expect(Array.from((await store.get("k", clock.now()))!)).toEqual(Array.from(allBytes));
    });

    it("a value changed by the caller after set stays as stored", async () => {
      const value = Uint8Array.of(1, 2, 3);
      await store.set("k", value, minute, clock.now());
      value[0] = 9;
      expect(Array.from((await store.get("k", clock.now()))!)).toEqual([1, 2, 3]);
    });

    it("each entry has its own TTL, counted from now", async () => {
      await store.set("short", Uint8Array.of(1), 1_000, clock.now());
      await store.set("long", Uint8Array.of(2), 5_000, clock.now());
      clock.advance(999);
      expect(await store.get("short", clock.now())).not.toBeNull();
      clock.advance(1);
      expect(await store.get("short", clock.now())).toBeNull();
      expect(await store.get("long", clock.now())).not.toBeNull();
      clock.advance(4_000);
      expect(await store.get("long", clock.now())).toBeNull();
    });

    it("set again replaces the value and the TTL", async () => {
      await store.set("k", Uint8Array.of(1), 1_000, clock.now());
      await store.set("k", Uint8Array.of(2), 10_000, clock.now());
      clock.advance(5_000);
      expect(Array.from((await store.get("k", clock.now()))!)).toEqual([2]);
    });

    it("delete removes", async () => {
      await store.set("k", Uint8Array.of(1), minute, clock.now());
      await store.delete("k");
      expect(await store.get("k", clock.now())).toBeNull();
      await store.delete("never-there");
    });

    it("refuses a TTL that is not positive and a value over the entry bound", async () => {
      expect(await store.set("zero", Uint8Array.of(1), 0, clock.now())).toBe(false);
      expect(await store.set("big", new Uint8Array(entryBound + 1), minute, clock.now())).toBe(false);
      expect(await store.get("zero", clock.now())).toBeNull();
      expect(await store.get("big", clock.now())).toBeNull();
      expect(await store.set("fits", new Uint8Array(entryBound), minute, clock.now())).toBe(true);
    });

    it("a cached stream round-trips through the response cache (multi-byte UTF-8 chunks)", async () => {
      const cache = new ResponseCache({ store, ttlMs: minute });
      const request = { model: "m", messages: [{ role: "user", content: "hi" }] };
      const miss = await cache.lookup("g", request, {}, clock.now());
      expect(miss.status).toBe("miss");
      const answer = answerFromChunks(streamChunks.slice(0, 4))!;
      expect(
        await cache.save(miss.key!, answer, { now: clock.now(), deploymentId: "openai-1/gpt-4.1" }),
      ).toBe(true);
      clock.advance(1_000);
      const hit = await cache.lookup("g", { ...request, stream: true }, {}, clock.now());
      expect(hit).toMatchObject({
        status: "hit",
        ageMs: 1_000,
        entry: { answer, deploymentId: "openai-1/gpt-4.1", storedAt: clock.now() - 1_000 },
      });
    });

    it.runIf(name.includes("redis"))("is shared: what one node stores, another reads", async () => {
      const peer = subject.peer!;
      await store.set("shared", allBytes, minute, clock.now());
      expect(Array.from((await peer.get("shared", clock.now()))!)).toEqual(Array.from(allBytes));
      await peer.delete("shared");
      expect(await store.get("shared", clock.now())).toBeNull();
    });
  });
}
