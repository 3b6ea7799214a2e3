import { describe, expect, it } from "vitest";
import { bucketKey, CapacityGate, type Refusal, type Reservation } from "../../src/core/capacity-gate.js";
import type { Deployment } from "../../src/core/index.js";
import { MemoryStateStore } from "../../src/state/memory-store.js";
import type { Target } from "../../src/types/index.js";
import { deployment } from "../helpers/deployments.js";

const target = { provider: "openai" } as unknown as Target;
const minute = 60_000;
const t0 = 1_700_000_000_000;

function isReservation(value: Reservation | Refusal): value is Reservation {
  return "deployment" in value;
}

function headers(limit: number, remaining: number, reset: string): Record<string, string> {
  return {
    "x-ratelimit-limit-requests": String(limit),
    "x-ratelimit-remaining-requests": String(remaining),
    "x-ratelimit-reset-requests": reset,
  };
}

describe("CapacityGate", () => {
  it("holds a configured rpm: takes up to the limit, then refuses with the dimension and when", async () => {
    const store = new MemoryStateStore();
    const gate = new CapacityGate(store, minute);
    const d = deployment("a", target, { rpm: 3 });
    for (let index = 0; index < 3; index += 1)
      expect(isReservation(await gate.take(d, t0 + index, 10))).toBe(true);
    const refused = await gate.take(d, t0 + 10, 10);
    expect(isReservation(refused)).toBe(false);
    expect((refused as Refusal).dimension).toBe("requests");
    expect((refused as Refusal).retryAt).toBeGreaterThan(t0 + 10);
    expect((refused as Refusal).retryAt).toBeLessThanOrEqual(t0 + minute + 10);
    expect(gate.slotsWithin(d, t0 + 10, 0, 10)).toBe(0);
    expect(gate.headroom(d, t0 + 10)).toBe(0.02);
  });

  it("with nothing configured and nothing learned, lets only the slow-start count fly", async () => {
    const gate = new CapacityGate(new MemoryStateStore(), minute, {
      slowStartInFlight: 2,
      slowStartRetryMs: 250,
    });
    const d = deployment("a", target);
    expect(isReservation(await gate.take(d, t0, 10))).toBe(true);
    expect(isReservation(await gate.take(d, t0, 10))).toBe(true);
    const third = (await gate.take(d, t0, 10)) as Refusal;
    expect(third).toEqual({ retryAt: t0 + 250, dimension: "slow_start" });
  });

  it("skips the slow start where the user configured limits (they said what it takes)", async () => {
    const gate = new CapacityGate(new MemoryStateStore(), minute, { slowStartInFlight: 1 });
    const d = deployment("a", target, { rpm: 100 });
    for (let index = 0; index < 5; index += 1) expect(isReservation(await gate.take(d, t0, 10))).toBe(true);
  });

  it("learns a bucket from the answer's headers and blocks when it says nothing is left", async () => {
    const gate = new CapacityGate(new MemoryStateStore(), minute);
    const d = deployment("a", target);
    const taken = await gate.take(d, t0, 10);
    expect(isReservation(taken)).toBe(true);
    gate.observe(taken as Reservation, t0 + 100, "success", {
      headers: headers(60, 0, "1s"),
      retryAfterMs: null,
      usage: { prompt_tokens: 5, completion_tokens: 5, total_tokens: 10 },
    });
    const view = gate.view(d, t0 + 100);
    expect(view.mode).toBe("headers");
    // Reset = time until full (OpenAI): empty and full again in 1 s at 60/min → a burst of 1.
    expect(view.requests.refillPerMinute).toBe(60);
    expect(view.requests.capacity).toBe(1);
    const blocked = gate.blockedUntil(d, t0 + 100, 10);
    expect(blocked).not.toBeNull();
    expect(blocked!).toBeGreaterThan(t0 + 100);
    expect(blocked!).toBeLessThanOrEqual(t0 + 100 + 2_000);
    expect(gate.blockedUntil(d, t0 + 10_000, 10)).toBeNull();
  });

  it("gives a released share back, so a never-sent request costs nothing", async () => {
    const store = new MemoryStateStore();
    const gate = new CapacityGate(store, minute);
    const d = deployment("a", target, { rpm: 1, tpm: 1_000 });
    const first = (await gate.take(d, t0, 400)) as Reservation;
    expect(first.configuredTokens).toBe(400);
    expect(store.usage("a", t0, minute).tokens).toBe(400);
    gate.release(first, t0 + 1);
    expect(store.usage("a", t0 + 1, minute).tokens).toBe(0);
  });

  it("settles the configured tpm charge upward only", async () => {
    const store = new MemoryStateStore();
    const gate = new CapacityGate(store, minute);
    const d = deployment("a", target, { tpm: 10_000 });
    const reservation = (await gate.take(d, t0, 500)) as Reservation;
    gate.settle(reservation, t0 + 1, { prompt_tokens: 100, completion_tokens: 50, total_tokens: 150 });
    expect(store.usage("a", t0 + 1, minute).tokens).toBe(500);
    gate.settle(reservation, t0 + 2, { prompt_tokens: 600, completion_tokens: 200, total_tokens: 800 });
    expect(store.usage("a", t0 + 2, minute).tokens).toBe(800);
  });

  it("charges configured dimensions to the configured window only, not the learned bucket", async () => {
    const gate = new CapacityGate(new MemoryStateStore(), minute);
    const both = deployment("a", target, { rpm: 10, tpm: 1_000 });
    const reservation = (await gate.take(both, t0, 300)) as Reservation;
    expect(reservation.cost).toEqual({ requests: 0, tokens: 0 });
    const onlyRpm = deployment("b", target, { rpm: 10 });
    expect(((await gate.take(onlyRpm, t0, 300)) as Reservation).cost).toEqual({ requests: 0, tokens: 300 });
  });

  it("keys of one quota group share one learned bucket per model", async () => {
    const one: Deployment = { ...deployment("k1", target, { model: "m" }), quotaGroup: "org" };
    const two: Deployment = { ...deployment("k2", target, { model: "m" }), quotaGroup: "org" };
    const other: Deployment = { ...deployment("k3", target, { model: "n" }), quotaGroup: "org" };
    expect(bucketKey(one)).toBe(bucketKey(two));
    expect(bucketKey(one)).not.toBe(bucketKey(other));
    expect(bucketKey(deployment("solo", target))).toBe("solo");
    const gate = new CapacityGate(new MemoryStateStore(), minute, { slowStartInFlight: 1 });
    expect(isReservation(await gate.take(one, t0, 1))).toBe(true);
    expect(isReservation(await gate.take(two, t0, 1))).toBe(false);
    expect(isReservation(await gate.take(other, t0, 1))).toBe(true);
  });

  it("counts no slots while the deployment cools down or is disabled", async () => {
    const store = new MemoryStateStore();
    const gate = new CapacityGate(store, minute);
    const d = deployment("a", target, { rpm: 100 });
    expect(gate.slotsWithin(d, t0, 1_000, 1)).toBeGreaterThan(0);
    store.coolDown("a", t0 + 5_000, "rate_limited", false);
    expect(gate.slotsWithin(d, t0, 1_000, 1)).toBe(0);
    expect(gate.slotsWithin(d, t0, 10_000, 1)).toBeGreaterThan(0);
  });
});
