import { describe, expect, it } from "vitest";
import { LearnedCapacity, type CapacityObservation } from "../../src/core/capacity/index.js";
import { MemoryStateStore } from "../../src/state/index.js";
import type { BucketMark } from "../../src/types/index.js";

const t0 = 1_700_000_000_000;
const request = { requests: 1, tokens: 1_000 };

/** OpenAI headers of a 60 RPM / 60k TPM key (burst 1) with `requests` and `tokens` left. */
function openai(requests: number, tokens: number | null = null): Record<string, string> {
  const headers: Record<string, string> = {
    "x-ratelimit-limit-requests": "60",
    "x-ratelimit-remaining-requests": String(requests),
    "x-ratelimit-reset-requests": `${60 - requests}s`,
  };
  if (tokens !== null) {
    headers["x-ratelimit-limit-tokens"] = "60000";
    headers["x-ratelimit-remaining-tokens"] = String(tokens);
    headers["x-ratelimit-reset-tokens"] = `${(60_000 - tokens) / 1_000}s`;
  }
  return headers;
}

function answered(mark: BucketMark | null, partial: Partial<CapacityObservation> = {}): CapacityObservation {
  return {
    sentAt: t0,
    at: t0 + 500,
    mark,
    cost: request,
    outcome: "success",
    rateLimits: null,
    retryAfterMs: null,
    usedTokens: null,
    ...partial,
  };
}

async function markOf(gate: LearnedCapacity, now: number, cost = request): Promise<BucketMark | null> {
  const taken = await gate.take("d", now, cost);
  if (!taken.ok) throw new Error(`denied: ${taken.reason}`);
  return taken.mark;
}

describe("LearnedCapacity", () => {
  it("slow start: two requests in flight on a bucket with nothing learned, then whatever it learned", async () => {
    const gate = new LearnedCapacity(new MemoryStateStore());
    const first = await markOf(gate, t0);
    await markOf(gate, t0);
    expect(await gate.take("d", t0, request)).toEqual({ ok: false, retryAt: t0 + 250, reason: "slow_start" });
    expect(gate.blockedUntil("d", t0, request)).toBe(t0 + 250);
    expect(gate.view("d", t0)).toMatchObject({
      mode: "unknown",
      requests: { inFlight: 2 },
      tokens: { inFlight: 2_000 },
    });
    gate.observe("d", answered(first, { rateLimits: openai(58) }));
    for (let i = 0; i < 10; i++) await markOf(gate, t0 + 500);
    expect(gate.view("d", t0 + 500).requests).toMatchObject({
      capacity: 60,
      refillPerMinute: 60,
      inFlight: 11,
    });
  });

  it("a release gives the charge back and frees the slow-start slot", async () => {
    const gate = new LearnedCapacity(new MemoryStateStore());
    await markOf(gate, t0);
    await markOf(gate, t0);
    gate.release("d", t0, request);
    expect(gate.view("d", t0).requests.inFlight).toBe(1);
    expect(await gate.take("d", t0, request)).toMatchObject({ ok: true });
  });

  it("a cost of nothing is neither checked nor charged", async () => {
    const store = new MemoryStateStore();
    const gate = new LearnedCapacity(store);
    expect(await gate.take("d", t0, { requests: 0, tokens: 0 })).toEqual({ ok: true, mark: null });
    expect(gate.blockedUntil("d", t0, { requests: 0, tokens: 0 })).toBeNull();
    expect(store.bucket("d", t0)).toBeNull();
  });

  it("blockedUntil says what take would, without taking; headroom and slots follow the level", async () => {
    const gate = new LearnedCapacity(new MemoryStateStore());
    expect(gate.headroom("d", t0)).toBe(1);
    expect(gate.slotsWithin("d", t0, 10_000, request)).toBe(Number.POSITIVE_INFINITY);
    const mark = await markOf(gate, t0);
    gate.observe("d", answered(mark, { at: t0, rateLimits: openai(4) }));
    // 4 of 60 left: 4 go now; then one a second.
    expect(gate.headroom("d", t0)).toBeCloseTo(4 / 60, 9);
    expect(gate.slotsWithin("d", t0, 10_000, request)).toBe(14);
    expect(gate.blockedUntil("d", t0, request)).toBeNull();
    expect(gate.blockedUntil("d", t0, request)).toBeNull();
    for (let i = 0; i < 4; i++) await markOf(gate, t0);
    expect(gate.blockedUntil("d", t0, request)).toBe(t0 + 1_000);
    expect(await gate.take("d", t0, request)).toEqual({ ok: false, retryAt: t0 + 1_000, reason: "requests" });
    expect(gate.headroom("d", t0)).toBe(0.02);
    expect(gate.slotsWithin("d", t0, 2_500, request)).toBe(2);
  });

  it("settles a charge that was too small, unless the provider's remaining already counts it", async () => {
    const gate = new LearnedCapacity(new MemoryStateStore());
    const mark = await markOf(gate, t0);
    gate.observe("d", answered(mark, { at: t0, rateLimits: openai(59, 50_000) }));
    expect(gate.view("d", t0).tokens.remaining).toBe(50_000);
    const next = await markOf(gate, t0);
    gate.observe("d", answered(next, { at: t0, rateLimits: openai(58, 49_000), usedTokens: 3_000 }));
    expect(gate.view("d", t0).tokens.remaining).toBe(49_000);
    const third = await markOf(gate, t0);
    gate.observe("d", answered(third, { at: t0, usedTokens: 3_000 }));
    expect(gate.view("d", t0).tokens.remaining).toBe(49_000 - 1_000 - 2_000);
    const fourth = await markOf(gate, t0);
    gate.observe("d", answered(fourth, { at: t0, usedTokens: 10 }));
    expect(gate.view("d", t0).tokens.remaining).toBe(49_000 - 1_000 - 2_000 - 1_000);
  });

  it("headers seen lately: a headerless success is not AIMD, a headerless 429 holds until its Retry-After", async () => {
    const gate = new LearnedCapacity(new MemoryStateStore());
    const mark = await markOf(gate, t0);
    gate.observe("d", answered(mark, { at: t0, rateLimits: openai(50) }));
    gate.observe("d", answered(await markOf(gate, t0), { at: t0 }));
    expect(gate.view("d", t0).mode).toBe("headers");
    gate.observe(
      "d",
      answered(await markOf(gate, t0), { at: t0, outcome: "rate_limited", retryAfterMs: 5_000 }),
    );
    expect(gate.view("d", t0)).toMatchObject({ mode: "headers", answers: 3, rejected: 1 });
    expect(gate.blockedUntil("d", t0, request)).toBe(t0 + 5_000);
  });

  it("no headers: successes pace nothing; a 429 under sustained traffic starts AIMD from the send rate", async () => {
    const gate = new LearnedCapacity(new MemoryStateStore());
    gate.observe("d", answered(await markOf(gate, t0), { outcome: "failed" }));
    expect(gate.view("d", t0 + 500).mode).toBe("unknown");
    // A success without headers: nothing limits the deployment, no cap and no pacing.
    for (let i = 0; i < 4; i += 1)
      gate.observe("d", answered(await markOf(gate, t0 + i), { at: t0 + i + 1 }));
    expect(gate.view("d", t0 + 10).mode).toBe("unknown");
    expect(gate.blockedUntil("d", t0 + 10, request)).toBeNull();
    // 20 requests sent over 2 s (10/s), then a 429 with Retry-After: paced from 10/s cut to 60 %.
    for (let i = 0; i < 20; i += 1) await markOf(gate, t0 + 1_000 + i * 100);
    const last = await markOf(gate, t0 + 3_000);
    gate.observe(
      "d",
      answered(last, { sentAt: t0 + 3_000, at: t0 + 3_000, outcome: "rate_limited", retryAfterMs: 2_000 }),
    );
    const view = gate.view("d", t0 + 3_000);
    expect(view).toMatchObject({ mode: "aimd", rejected: 1, tokens: { capacity: null } });
    expect(view.requests.refillPerMinute).toBeGreaterThan(60 * 0.6 * 8);
    expect(view.requests.refillPerMinute).toBeLessThan(60 * 0.6 * 12);
    expect(gate.blockedUntil("d", t0 + 3_000, request)).toBeGreaterThanOrEqual(t0 + 5_000);
  });

  it("no headers: a 429 at low volume is left to the cooldown (no pacing)", async () => {
    const gate = new LearnedCapacity(new MemoryStateStore());
    gate.observe("d", answered(await markOf(gate, t0), { outcome: "rate_limited", retryAfterMs: 2_000 }));
    expect(gate.view("d", t0 + 500).mode).toBe("unknown");
  });

  it("stale: without an answer for staleMs the view says so, and no slow-start cap comes back (a quiet bucket is full)", async () => {
    const gate = new LearnedCapacity(new MemoryStateStore(), { staleMs: 60_000 });
    gate.observe("d", answered(await markOf(gate, t0), { at: t0, rateLimits: openai(59) }));
    const later = t0 + 60_001;
    expect(gate.view("d", later)).toMatchObject({ stale: true, observedAt: t0 });
    await markOf(gate, later);
    await markOf(gate, later);
    expect(await gate.take("d", later, request)).toMatchObject({ ok: true });
  });

  it("in-flight requests whose answers never came are dropped after inFlightExpiryMs", async () => {
    const gate = new LearnedCapacity(new MemoryStateStore(), { inFlightExpiryMs: 10_000 });
    await markOf(gate, t0);
    await markOf(gate, t0);
    expect(await gate.take("d", t0 + 10_000, request)).toMatchObject({ ok: false });
    expect(await gate.take("d", t0 + 10_001, request)).toMatchObject({ ok: true });
  });

  it("two gates on one store share what they learn", async () => {
    const store = new MemoryStateStore();
    const [a, b] = [new LearnedCapacity(store), new LearnedCapacity(store)];
    a.observe("d", answered(await markOf(a, t0), { at: t0, rateLimits: openai(2) }));
    expect(b.view("d", t0).requests).toMatchObject({ capacity: 60, remaining: 2 });
    await markOf(b, t0);
    await markOf(b, t0);
    expect(await a.take("d", t0, request)).toMatchObject({ ok: false, reason: "requests" });
  });
});
