import { describe, expect, it } from "vitest";
import { LearnedCapacity } from "../../src/core/capacity/index.js";
import { MemoryStateStore } from "../../src/state/index.js";
import type { BucketMark } from "../../src/types/index.js";
import { exponential, ModelProvider, seededRng } from "./bucket-model.js";

const minute = 60_000;
const start = 1_700_000_000_000;

interface Flight {
  key: string;
  provider: ModelProvider;
  sentAt: number;
  mark: BucketMark | null;
}

/**
 * Deployments `a` and `b` are two keys of one organisation (one bucket upstream: 300 RPM, a quarter
 * of it at once), not configured as a quota group; `c` has a bucket of its own, which another client
 * drains at 150 RPM. llmux offers 165 RPM to each of `a` and `b` and 180 RPM to `c` (about 110 % of
 * every bucket), paced by the gate; every answer is observed when it arrives.
 */
export function run(gate: LearnedCapacity, durationMs: number, seed: number): void {
  const rng = seededRng(seed);
  const limit = { limit: 300, windowMs: minute, burst: 0.25 };
  const org = new ModelProvider({ requests: limit, style: "openai", start });
  const own = new ModelProvider({ requests: limit, style: "openai", start });
  const providers: Record<string, ModelProvider> = { a: org, b: org, c: own };
  type Event = { at: number; run: () => void };
  const events: Event[] = [];
  // Kept latest first, so the next event is popped from the end.
  const schedule = (at: number, run: () => void) => {
    let low = 0;
    let high = events.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (events[middle]!.at > at) low = middle + 1;
      else high = middle;
    }
    events.splice(low, 0, { at, run });
  };
  const send = (key: string, at: number) => {
    const taken = gate.take(key, at, { requests: 1, tokens: 0 });
    if (taken instanceof Promise || !taken.ok) return;
    const flight: Flight = { key, provider: providers[key]!, sentAt: at, mark: taken.mark };
    const admitAt = at + 20 + rng() * 80;
    schedule(admitAt, () => {
      const answer = flight.provider.answer(admitAt, 0);
      const answerAt = admitAt + 100 + rng() * 900;
      schedule(answerAt, () =>
        gate.observe(flight.key, {
          sentAt: flight.sentAt,
          at: answerAt,
          mark: flight.mark,
          cost: { requests: 1, tokens: 0 },
          outcome: answer.status === 200 ? "success" : "rate_limited",
          rateLimits: answer.headers,
          retryAfterMs: answer.retryAfterMs,
          usedTokens: null,
        }),
      );
    });
  };
  for (const [key, perMinute] of [
    ["a", 165],
    ["b", 165],
    ["c", 180],
  ] as const)
    for (let at = start; at < start + durationMs; at += exponential(rng, minute / perMinute))
      schedule(at, () => send(key, at));
  for (let at = start; at < start + durationMs; at += exponential(rng, minute / 150))
    schedule(at, () => own.answer(at, 0));
  for (let event = events.pop(); event; event = events.pop()) event.run();
}

describe("shared buckets", () => {
  it("spots two deployments drawing on one bucket upstream, both ways, and not a key with a steady other client", () => {
    const gate = new LearnedCapacity(new MemoryStateStore());
    run(gate, 3 * minute, 1);
    const end = start + 3 * minute;
    expect(gate.view("a", end).sharedWith).toEqual(["b"]);
    expect(gate.view("b", end).sharedWith).toEqual(["a"]);
    expect(gate.view("c", end).sharedWith).toEqual([]);
  });

  it("needs evidence: nothing is reported from the first few answers", () => {
    const gate = new LearnedCapacity(new MemoryStateStore());
    run(gate, 2_000, 2);
    expect(gate.view("a", start + 2_000).sharedWith).toEqual([]);
  });

  it.each([3, 4, 5])("is stable across runs (seed %i)", (seed) => {
    const gate = new LearnedCapacity(new MemoryStateStore());
    run(gate, 3 * minute, seed);
    const end = start + 3 * minute;
    expect([
      gate.view("a", end).sharedWith,
      gate.view("b", end).sharedWith,
      gate.view("c", end).sharedWith,
    ]).toEqual([["b"], ["a"], []]);
  });
});
