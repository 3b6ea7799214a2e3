import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RateLimitedError } from "../../src/errors/index.js";
import { Multiplexer } from "../../src/index.js";
import { startSimulator, type Simulator } from "../../src/sim/index.js";
import { FakeClock } from "../helpers/fake-clock.js";
import { deployment, engineWith } from "../helpers/deployments.js";
import { FakeTarget } from "../helpers/fake-target.js";

const request = { model: "x", messages: [{ role: "user", content: "hello" }] };

describe("quota-aware scheduling", () => {
  it("stays off a deployment whose provider reported no remaining requests, until its reset", async () => {
    const clock = new FakeClock();
    const exhausted = {
      "x-ratelimit-limit-requests": "10",
      "x-ratelimit-remaining-requests": "0",
      "x-ratelimit-reset-requests": "5s",
    };
    const a = new FakeTarget("a", [{ ok: "a", headers: exhausted }, { ok: "a again" }]);
    const b = new FakeTarget("b", [{ ok: "b" }]);
    const { engine } = engineWith([deployment("a", a), deployment("b", b)], { clock });
    expect((await engine.chat("g", request)).deployment.id).toBe("a");
    for (let i = 0; i < 3; i += 1) expect((await engine.chat("g", request)).deployment.id).toBe("b");
    expect(a.calls).toHaveLength(1);
    clock.advance(5_000);
    expect((await engine.chat("g", request)).deployment.id).toBe("a");
  });

  it("counts the requests it started since the provider's report", async () => {
    const clock = new FakeClock();
    const two = {
      "x-ratelimit-limit-requests": "10",
      "x-ratelimit-remaining-requests": "2",
      "x-ratelimit-reset-requests": "30s",
    };
    const a = new FakeTarget("a", [{ ok: "a", headers: two }, { ok: "a" }, { ok: "a" }, { ok: "a" }]);
    const b = new FakeTarget("b", [{ ok: "b" }]);
    const { engine } = engineWith([deployment("a", a), deployment("b", b)], { clock });
    await engine.chat("g", request); // reports 2 left
    clock.advance(1);
    const served = [];
    for (let i = 0; i < 4; i += 1) {
      served.push((await engine.chat("g", request)).deployment.id);
      clock.advance(1);
    }
    expect(served).toEqual(["a", "a", "b", "b"]);
  });

  it("prefers the deployment with more headroom (weights scale by what is left)", async () => {
    const clock = new FakeClock(Date.UTC(2026, 0, 1));
    const a = new FakeTarget("a", [{ ok: "a" }]);
    const b = new FakeTarget("b", [{ ok: "b" }]);
    const { engine } = engineWith([deployment("a", a, { rpm: 100 }), deployment("b", b, { rpm: 100 })], {
      clock,
      strategy: "weighted",
      rng: (() => {
        let x = 0.123;
        return () => (x = ((x * 9301 + 49297) % 233280) / 233280);
      })(),
    });
    for (let i = 0; i < 90; i += 1)
      engine.store.acquire("a", clock.now(), { rpm: 100, tpm: null, rpd: null }, 0, 60_000);
    let toB = 0;
    for (let i = 0; i < 20; i += 1) if ((await engine.chat("g", request)).deployment.id === "b") toB += 1;
    expect(toB).toBeGreaterThanOrEqual(17);
  });

  it("queues requests fairly while capacity is full and serves them in arrival order", async () => {
    const a = new FakeTarget("a", [{ ok: "a" }]);
    const { engine } = engineWith([deployment("a", a, { rpm: 1 })], {
      capacityWindowMs: 100,
      maxWaitMs: 3000,
    });
    const order: number[] = [];
    const started = Date.now();
    await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        engine
          .chat("g", { ...request, messages: [{ role: "user", content: `#${i}` }] })
          .then(() => order.push(i)),
      ),
    );
    expect(order).toEqual([0, 1, 2, 3, 4]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    expect(
      a.calls.map((c) => (c.request as { messages: Array<{ content: string }> }).messages[0]?.content),
    ).toEqual(["#0", "#1", "#2", "#3", "#4"]);
  });

  it("answers the excess at once with a Retry-After when the wait would exceed maxWaitMs", async () => {
    const a = new FakeTarget("a", [{ ok: "a" }]);
    const { engine } = engineWith([deployment("a", a, { rpm: 2 })], {
      capacityWindowMs: 1_000,
      maxWaitMs: 300,
    });
    const results = await Promise.all(
      Array.from({ length: 8 }, async () => {
        const started = performance.now();
        try {
          await engine.chat("g", request);
          return { ok: true, ms: performance.now() - started, retryAfterMs: 0 };
        } catch (error) {
          return {
            ok: false,
            ms: performance.now() - started,
            retryAfterMs: (error as RateLimitedError).retryAfterMs ?? -1,
            error,
          };
        }
      }),
    );
    const refused = results.filter((r) => !r.ok);
    expect(results.filter((r) => r.ok)).toHaveLength(2);
    expect(refused).toHaveLength(6);
    for (const r of refused) {
      expect(r.error).toBeInstanceOf(RateLimitedError);
      expect(r.ms).toBeLessThan(50);
      expect(r.retryAfterMs).toBeGreaterThan(300);
    }
  });
});

describe("queue admission", () => {
  it("admits only what frees within the wait less each waiter's turn lag (2 ms): the last one is turned away at once, not at the end of its wait", async () => {
    const clock = new FakeClock(Date.UTC(2026, 0, 1));
    const a = new FakeTarget("a", [{ ok: "a" }]);
    const limits = { rpm: 10, tpm: null, rpd: null };
    const { engine } = engineWith([deployment("a", a, { rpm: 10 })], {
      clock,
      capacityWindowMs: 1_000,
      maxWaitMs: 300,
    });
    // The window is used up, one request every 100 ms: 3 free within the 300 ms wait (in 50, 150, 250 ms).
    for (let i = 0; i < 10; i += 1) {
      engine.store.acquire("a", clock.now(), limits, 0, 1_000);
      clock.advance(100);
    }
    clock.advance(-50);
    const outcomes = Array.from({ length: 3 }, () =>
      engine.chat("g", request).then(
        () => "served",
        (error: unknown) => (error instanceof RateLimitedError ? "429" : "other"),
      ),
    );
    // The third would need all 3 slots, the last at the very end of its wait: refused now.
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await Promise.race([outcomes[2], Promise.resolve("pending")])).toBe("429");
    expect(await Promise.race([outcomes[0], Promise.resolve("pending")])).toBe("pending");
    for (let step = 0; step < 40; step += 1) {
      clock.advance(10);
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    expect(await Promise.all(outcomes)).toEqual(["served", "served", "429"]);
    expect(a.calls).toHaveLength(2);
  });
});

describe("quota-aware scheduling against the simulator's real headers", () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSimulator({
      keys: { "key-small": { rpm: 3 }, "key-big": { rpm: 1000 } },
      windowMs: 60_000,
    });
  });
  afterAll(async () => {
    await sim.close();
  });

  it("learns a key's limit from x-ratelimit headers and avoids upstream 429s without any configured rpm", async () => {
    const mux = new Multiplexer({ strategy: "priority" });
    mux.addModel(new OpenAI({ baseURL: sim.url, apiKey: "key-small" }), 1, "m");
    mux.addModel(new OpenAI({ baseURL: sim.url, apiKey: "key-big" }), 1, "m");
    for (let i = 0; i < 10; i += 1)
      await mux.chat.completions.create({ model: "m", messages: [{ role: "user", content: "hi" }] });
    const small = sim.requests.filter((r) => r.key === "key-small");
    expect(small).toHaveLength(3);
    expect(sim.requests.filter((r) => r.status === 429)).toHaveLength(0);
  });
});
