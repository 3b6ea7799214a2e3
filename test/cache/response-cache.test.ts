import { describe, expect, it } from "vitest";
import {
  answerFromBody,
  answerFromChunks,
  cacheEnabledFor,
  decodeEntry,
  defaultCacheSettings,
  encodeEntry,
  MemoryCacheStore,
  replayFor,
  ResponseCache,
  type CacheEntry,
  type CacheStore,
} from "../../src/core/cache/index.js";
import type { ChatRequest } from "../../src/types/index.js";
import { FakeClock } from "../helpers/fake-clock.js";
import { streamChunks, textBody } from "./answers.js";

const request: ChatRequest = {
  model: "smart",
  messages: [{ role: "user", content: "Hello" }],
  temperature: 0,
};
const body = answerFromBody(JSON.stringify(textBody))!;

async function primed(cache: ResponseCache, now: number, ttlMs?: number): Promise<string> {
  const lookup = await cache.lookup("smart", request, {}, now);
  expect(lookup.status).toBe("miss");
  const key = lookup.status === "miss" ? lookup.key : "";
  expect(await cache.save(key, body, ttlMs === undefined ? { now } : { now, ttlMs })).toBe(true);
  return key;
}

describe("ResponseCache", () => {
  it("miss, save, hit — whatever the stream flag, user or metadata; counted", async () => {
    const clock = new FakeClock();
    const cache = new ResponseCache({ ttlMs: 60_000 });
    const key = await primed(cache, clock.now());
    clock.advance(5_000);
    const hit = await cache.lookup(
      "smart",
      { ...request, stream: true, user: "bob", metadata: { a: "1" } },
      {},
      clock.now(),
    );
    expect(hit).toMatchObject({ status: "hit", key, ageMs: 5_000 });
    expect(await cache.lookup("other-group", request, {}, clock.now())).toMatchObject({ status: "miss" });
    expect(cache.counters()).toMatchObject({
      hits: 1,
      misses: 2,
      bypasses: 0,
      stores: 1,
      skipped: 0,
      errors: 0,
    });
    expect(cache.counters().bytesStored).toBe(
      encodeEntry(hit.status === "hit" ? hit.entry : ({} as CacheEntry)).byteLength,
    );
    expect(cache.counters()).toMatchObject({ entries: 1, evictions: 0 });
  });

  it("a hit replays as the request wants it", async () => {
    const clock = new FakeClock();
    const cache = new ResponseCache();
    await primed(cache, clock.now());
    const hit = await cache.lookup("smart", { ...request, stream: true }, {}, clock.now());
    if (hit.status !== "hit") throw new Error("expected a hit");
    const replay = replayFor(hit.entry.answer, { ...request, stream: true });
    expect(replay.kind).toBe("stream");
    if (replay.kind === "stream") expect(replay.events.at(-1)).toBe("data: [DONE]\n\n");
  });

  it("the default TTL and a TTL per entry, on the caller's clock", async () => {
    const clock = new FakeClock();
    const cache = new ResponseCache({ ttlMs: 10_000 });
    await primed(cache, clock.now(), 2_000);
    clock.advance(2_000);
    expect((await cache.lookup("smart", request, {}, clock.now())).status).toBe("miss");
    const other = { ...request, temperature: 1 };
    const miss = await cache.lookup("smart", other, {}, clock.now());
    await cache.save(miss.status === "miss" ? miss.key : "", body, { now: clock.now() });
    clock.advance(9_999);
    expect((await cache.lookup("smart", other, {}, clock.now())).status).toBe("hit");
    clock.advance(1);
    expect((await cache.lookup("smart", other, {}, clock.now())).status).toBe("miss");
  });

  it("bypass reads nothing; refresh reads nothing but gives the key to store the fresh answer", async () => {
    const clock = new FakeClock();
    const cache = new ResponseCache();
    await primed(cache, clock.now());
    expect(await cache.lookup("smart", request, { "x-llmux-cache": "bypass" }, clock.now())).toEqual({
      status: "bypass",
      key: null,
      reason: "x-llmux-cache: bypass",
    });
    const refresh = await cache.lookup("smart", request, { "cache-control": "no-cache" }, clock.now());
    expect(refresh).toMatchObject({ status: "bypass", reason: "cache-control: no-cache" });
    expect(refresh.key).toMatch(/^[0-9a-f]{64}$/);
    expect(cache.counters()).toMatchObject({ bypasses: 2, hits: 0 });
  });

  it("max-age serves only younger entries", async () => {
    const clock = new FakeClock();
    const cache = new ResponseCache();
    await primed(cache, clock.now());
    clock.advance(30_000);
    expect(
      (await cache.lookup("smart", request, { "cache-control": "max-age=60" }, clock.now())).status,
    ).toBe("hit");
    expect(
      (await cache.lookup("smart", request, { "cache-control": "max-age=10" }, clock.now())).status,
    ).toBe("miss");
  });

  it("skips answers over the entry bound", async () => {
    const cache = new ResponseCache({ maxEntryBytes: 100 });
    const lookup = await cache.lookup("smart", request, {}, 0);
    expect(await cache.save(lookup.key!, body, { now: 0 })).toBe(false);
    expect(cache.counters()).toMatchObject({ stores: 0, skipped: 1, bytesStored: 0 });
  });

  it("reports the memory store's evictions", async () => {
    const cache = new ResponseCache({ store: new MemoryCacheStore({ maxEntries: 1 }) });
    for (const temperature of [0, 0.5]) {
      const lookup = await cache.lookup("smart", { ...request, temperature }, {}, 0);
      await cache.save(lookup.key!, body, { now: 0 });
    }
    expect(cache.counters()).toMatchObject({ stores: 2, evictions: 1, entries: 1 });
  });

  it("an unreadable entry is a miss", async () => {
    const store = new MemoryCacheStore();
    const cache = new ResponseCache({ store });
    const lookup = await cache.lookup("smart", request, {}, 0);
    await store.set(lookup.key!, Uint8Array.of(1, 2, 3), 60_000, 0);
    expect((await cache.lookup("smart", request, {}, 0)).status).toBe("miss");
  });

  it("a throwing store never throws out of the cache", async () => {
    const broken: CacheStore = {
      get: () => Promise.reject(new Error("down")),
      set: () => Promise.reject(new Error("down")),
      delete: () => Promise.reject(new Error("down")),
      stats: () => ({ entries: null, bytes: null, evictions: 0 }),
      close: () => Promise.resolve(),
    };
    const cache = new ResponseCache({ store: broken });
    const lookup = await cache.lookup("smart", request, {}, 0);
    expect(lookup.status).toBe("miss");
    expect(await cache.save(lookup.key!, body, { now: 0 })).toBe(false);
    expect(cache.counters()).toMatchObject({ misses: 1, errors: 2 });
  });
});

describe("entry codec", () => {
  const entries: CacheEntry[] = [
    { answer: body, storedAt: 1, expiresAt: 2, deploymentId: "openai-1/gpt-4.1" },
    { answer: answerFromChunks(streamChunks)!, storedAt: 3, expiresAt: 4, deploymentId: null },
    {
      answer: { kind: "body", contentType: "application/octet-stream", body: Uint8Array.of(0, 255, 10) },
      storedAt: 5,
      expiresAt: 6,
      deploymentId: null,
    },
  ];

  it.each(entries.map((entry) => [entry.answer.kind, entry] as const))(
    "round-trips a %s entry",
    (_kind, entry) => {
      expect(decodeEntry(encodeEntry(entry))).toEqual(entry);
    },
  );

  it("rejects what is not an entry, and truncated entries", () => {
    const bytes = encodeEntry(entries[1]!);
    expect(decodeEntry(bytes.subarray(0, bytes.byteLength - 1))).toBeNull();
    expect(decodeEntry(Uint8Array.of(1, 2, 3))).toBeNull();
    expect(decodeEntry(new TextEncoder().encode("LXC1garbage-garbage"))).toBeNull();
  });
});

describe("cache settings", () => {
  it("defaults and the per-group switch", () => {
    expect(defaultCacheSettings).toEqual({
      enabled: false,
      ttlMs: 600_000,
      maxEntries: 10_000,
      maxBytes: 64 * 1024 * 1024,
      maxEntryBytes: 4 * 1024 * 1024,
    });
    expect(cacheEnabledFor({ enabled: false }, undefined)).toBe(false);
    expect(cacheEnabledFor({ enabled: false }, true)).toBe(true);
    expect(cacheEnabledFor({ enabled: true }, false)).toBe(false);
  });
});
