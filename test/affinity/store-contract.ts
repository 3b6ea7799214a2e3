import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { AffinityStore } from "../../src/core/affinity/index.js";
import { FakeClock } from "../helpers/fake-clock.js";

/** A store under test (default TTL 5 min); `peer` is another node's handle on the same backend. */
export interface AffinitySubject {
  store: AffinityStore;
  peer?: AffinityStore;
  close(): Promise<void>;
}

const minute = 60_000;

/** Behaviour every AffinityStore must have, on a fake clock. */
export function affinityStoreContract(name: string, make: () => Promise<AffinitySubject>): void {
  describe(`AffinityStore contract: ${name}`, () => {
    let subject: AffinitySubject;
    let store: AffinityStore;
    let clock: FakeClock;
    beforeEach(async () => {
      subject = await make();
      store = subject.store;
      clock = new FakeClock();
    });
    afterEach(async () => subject.close());

    it("unknown sessions have no deployment", async () => {
      expect(await store.get("s", clock.now())).toBeNull();
    });

    it("remembers for the default 5 minutes", async () => {
      await store.set("s", "openai-1/gpt-4.1", clock.now());
      clock.advance(5 * minute - 1);
      expect(await store.get("s", clock.now())).toBe("openai-1/gpt-4.1");
      clock.advance(1);
      expect(await store.get("s", clock.now())).toBeNull();
    });

    it("setting again moves the session and restarts its TTL; a TTL per entry", async () => {
      await store.set("s", "a", clock.now());
      clock.advance(4 * minute);
      await store.set("s", "b", clock.now());
      clock.advance(4 * minute);
      expect(await store.get("s", clock.now())).toBe("b");
      await store.set("short", "c", clock.now(), 1_000);
      clock.advance(1_000);
      expect(await store.get("short", clock.now())).toBeNull();
    });

    it("delete forgets; a TTL that is not positive forgets too", async () => {
      await store.set("s", "a", clock.now());
      await store.delete("s");
      expect(await store.get("s", clock.now())).toBeNull();
      await store.set("t", "a", clock.now());
      await store.set("t", "a", clock.now(), 0);
      expect(await store.get("t", clock.now())).toBeNull();
    });

    it("deployment ids with any characters survive", async () => {
      const id = "azure|eu/gpt-4.1:2025 ünïcode";
      await store.set("s", id, clock.now());
      expect(await store.get("s", clock.now())).toBe(id);
    });

    it.runIf(name.includes("redis"))("is shared between nodes", async () => {
      await store.set("s", "a", clock.now());
      expect(await subject.peer!.get("s", clock.now())).toBe("a");
    });
  });
}
