import { describe, expect, it } from "vitest";
import { RateLimitedError } from "../../src/errors/index.js";
import { FakeClock } from "../helpers/fake-clock.js";
import { deployment, engineWith } from "../helpers/deployments.js";
import { FakeTarget } from "../helpers/fake-target.js";

const request = { model: "x", messages: [{ role: "user", content: "hello there" }] };
const t0 = Date.UTC(2026, 10, 22, 12, 0, 0);

describe("engine: configured capacity (rpm / tpm / rpd)", () => {
  it("never sends a deployment more than its rpm: the overflow goes to the next one", async () => {
    const clock = new FakeClock(t0);
    const a = new FakeTarget("a", [{ ok: "a" }]);
    const b = new FakeTarget("b", [{ ok: "b" }]);
    const { engine, events } = engineWith([deployment("a", a, { rpm: 3 }), deployment("b", b, { rpm: 3 })], {
      clock,
    });
    const served = [];
    for (let i = 0; i < 6; i += 1) served.push((await engine.chat("g", request)).deployment.id);
    expect(served).toEqual(["a", "a", "a", "b", "b", "b"]);
    const error = await engine.chat("g", request).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitedError);
    // Sliding window: 3 used in this minute; one more fits once a third of them has slid out,
    // 20 s into the next minute (3 × 2/3 + 1 = 3).
    expect((error as RateLimitedError).retryAfterMs).toBe(80_000);
    expect(a.calls).toHaveLength(3);
    expect(b.calls).toHaveLength(3);
    expect(events.filter((e) => e.type === "capacity_full").length).toBeGreaterThanOrEqual(2);
    expect((error as RateLimitedError).attempts).toHaveLength(0);
  });

  it("frees capacity as the sliding window moves", async () => {
    const clock = new FakeClock(t0);
    const a = new FakeTarget("a", [{ ok: "a" }]);
    const { engine } = engineWith([deployment("a", a, { rpm: 2 })], { clock, capacityWindowMs: 10_000 });
    await engine.chat("g", request);
    await engine.chat("g", request);
    await expect(engine.chat("g", request)).rejects.toBeInstanceOf(RateLimitedError);
    clock.advance(10_000); // previous window = 2, fully weighted at the window start
    await expect(engine.chat("g", request)).rejects.toBeInstanceOf(RateLimitedError);
    clock.advance(5_000); // half of the previous window has slid out: 2 × 0.5 = 1 < 2
    await engine.chat("g", request);
    expect(a.calls).toHaveLength(3);
  });

  it("charges tpm with prompt + max_tokens up front and keeps the charge, as providers do", async () => {
    const clock = new FakeClock(t0);
    const a = new FakeTarget("a", [{ ok: "a" }]);
    const { engine } = engineWith([deployment("a", a, { tpm: 1000 })], { clock });
    await engine.chat("g", { ...request, max_tokens: 500 });
    // Prompt estimate (3 + 4 per message) + 500; the real usage (5) does not give the charge back.
    const charged = engine.store.usage("a", clock.now(), 60_000).tokens;
    expect(charged).toBe(507);
    await engine.chat("g", { ...request, max_tokens: 400 });
    await expect(engine.chat("g", { ...request, max_tokens: 100 })).rejects.toBeInstanceOf(RateLimitedError);
    expect(a.calls).toHaveLength(2);
  });

  it("calibrates the prompt estimate per model from the real usage", async () => {
    const clock = new FakeClock(t0);
    // The fake target reports 3 prompt tokens; the quick estimate of this request is 7.
    const a = new FakeTarget("a", [{ ok: "a" }]);
    const { engine } = engineWith([deployment("a", a, { tpm: 100_000 })], { clock });
    await engine.chat("g", { ...request, max_tokens: 10 });
    expect(engine.store.usage("a", clock.now(), 60_000).tokens).toBe(17);
    await engine.chat("g", { ...request, max_tokens: 10 });
    // Now charged ceil(7 × 3/7) + 10 = 13.
    expect(engine.store.usage("a", clock.now(), 60_000).tokens).toBe(30);
  });

  it("waits for capacity when it frees within maxWaitMs", async () => {
    const a = new FakeTarget("a", [{ ok: "a" }]);
    const { engine } = engineWith([deployment("a", a, { rpm: 1 })], {
      capacityWindowMs: 200,
      maxWaitMs: 1000,
    });
    await engine.chat("g", request);
    const started = Date.now();
    await engine.chat("g", request);
    expect(Date.now() - started).toBeGreaterThan(50);
    expect(a.calls).toHaveLength(2);
  });

  it("honours a per-day budget", async () => {
    const clock = new FakeClock(t0);
    const a = new FakeTarget("a", [{ ok: "a" }]);
    const b = new FakeTarget("b", [{ ok: "b" }]);
    const { engine } = engineWith([deployment("a", a, { rpd: 2 }), deployment("b", b, { tier: 1 })], {
      clock,
    });
    const served = [];
    for (let i = 0; i < 4; i += 1) served.push((await engine.chat("g", request)).deployment.id);
    expect(served).toEqual(["a", "a", "b", "b"]);
    clock.advance(12 * 3_600_000);
    expect((await engine.chat("g", request)).deployment.id).toBe("a");
  });
});
