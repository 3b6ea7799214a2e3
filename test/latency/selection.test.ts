import { performance } from "node:perf_hooks";
import { describe, expect, it } from "vitest";
import {
  blendedPrice,
  LatencyPriors,
  leastCost,
  leastLatency,
  type LatencyOf,
  type LatencySummary,
} from "../../src/core/latency/index.js";
import { seededRng } from "../helpers/fake-clock.js";

const stats = (p95: number, count = 50) => ({ count, p50: p95 / 2, p95, p99: p95 * 1.2 });
const table =
  (entries: Record<string, Partial<LatencySummary>>): LatencyOf =>
  (id) => {
    const entry = entries[id];
    return entry ? { latency: entry.latency ?? null, ttft: entry.ttft ?? null } : null;
  };
const ids = (list: readonly { id: string }[]) => list.map((candidate) => candidate.id);
const candidates = ["a", "b", "c", "d"].map((id) => ({ id }));

describe("leastLatency", () => {
  const priors = table({
    a: { latency: stats(900), ttft: stats(120) },
    b: { latency: stats(400), ttft: stats(300) },
    c: { latency: stats(2_000), ttft: stats(50) },
    d: { latency: stats(600), ttft: stats(900) },
  });

  it("orders by p95 latency without streaming, by p95 TTFT for streams", () => {
    expect(ids(leastLatency(candidates, priors, false, seededRng(1)))).toEqual(["b", "d", "a", "c"]);
    expect(ids(leastLatency(candidates, priors, true, seededRng(1)))).toEqual(["c", "a", "b", "d"]);
  });

  it("can compare p50 or p99 instead", () => {
    const skewed = table({
      a: { latency: { count: 9, p50: 100, p95: 900, p99: 950 } },
      b: { latency: stats(500) },
    });
    const two = [{ id: "a" }, { id: "b" }];
    expect(ids(leastLatency(two, skewed, false, seededRng(1)))).toEqual(["b", "a"]);
    expect(ids(leastLatency(two, skewed, false, seededRng(1), { percentile: "p50" }))).toEqual(["a", "b"]);
  });

  it("without any history: a uniformly random order, the same for the same rng", () => {
    const none = table({});
    const rng = seededRng(42);
    const firsts = new Map<string, number>();
    for (let i = 0; i < 4_000; i += 1) {
      const [first] = leastLatency(candidates, none, false, rng);
      firsts.set(first!.id, (firsts.get(first!.id) ?? 0) + 1);
    }
    for (const id of ["a", "b", "c", "d"]) expect(firsts.get(id)! / 4_000).toBeCloseTo(0.25, 1);
    expect(leastLatency(candidates, none, false, seededRng(5))).toEqual(
      leastLatency(candidates, none, false, seededRng(5)),
    );
  });

  it("explores: an unexplored deployment goes first about exploreRate of the time, else after the explored ones", () => {
    const partial = table({
      a: { latency: stats(500) },
      b: { latency: stats(800) },
      c: { latency: stats(100, 4) },
    });
    const rng = seededRng(3);
    let explored = 0;
    for (let i = 0; i < 10_000; i += 1) {
      const order = ids(leastLatency(candidates, partial, false, rng, { exploreRate: 0.2 }));
      if (order[0] === "c" || order[0] === "d") {
        explored += 1;
        expect(order.slice(1, 3)).toEqual(["a", "b"]);
      } else {
        expect(order.slice(0, 2)).toEqual(["a", "b"]);
        expect(order.slice(2).sort()).toEqual(["c", "d"]); // too few samples (4 < 5): still unexplored
      }
    }
    expect(explored / 10_000).toBeCloseTo(0.2, 1);
  });

  it("shares the load between deployments within the tolerance of the fastest", () => {
    const close = table({
      a: { latency: stats(1_000) },
      b: { latency: stats(1_050) },
      c: { latency: stats(1_300) },
    });
    const three = candidates.slice(0, 3);
    const rng = seededRng(9);
    let aFirst = 0;
    for (let i = 0; i < 4_000; i += 1) {
      const order = ids(leastLatency(three, close, false, rng));
      expect(order[2]).toBe("c");
      if (order[0] === "a") aFirst += 1;
    }
    expect(aFirst / 4_000).toBeCloseTo(0.5, 1);
    expect(ids(leastLatency(three, close, false, seededRng(9), { tolerance: 0 }))).toEqual(["a", "b", "c"]);
  });

  it("one or no candidate is returned as is", () => {
    expect(leastLatency([], priors, false, seededRng(1))).toEqual([]);
    expect(leastLatency([{ id: "x" }], priors, false, seededRng(1))).toEqual([{ id: "x" }]);
  });

  it("is cheap enough for every selection: 50 deployments read from real priors", () => {
    const now = 1_700_000_040_000;
    const real = new LatencyPriors();
    const many = Array.from({ length: 50 }, (_, i) => ({ id: `p${i}/m` }));
    for (const [i, { id }] of many.entries()) {
      for (let k = 0; k < 200; k += 1)
        real.observe(id, { latencyMs: 300 + i * 10 + k, ttftMs: 80 + i }, now - k * 5_000);
    }
    const rng = seededRng(1);
    for (let i = 0; i < 200; i += 1) leastLatency(many, real.reader(now), true, rng);
    const rounds = 2_000;
    const started = performance.now();
    for (let i = 0; i < rounds; i += 1) leastLatency(many, real.reader(now + (i % 900)), true, rng);
    const micros = ((performance.now() - started) * 1_000) / rounds;
    console.log(
      `latency: leastLatency over 50 deployments: ${micros.toFixed(1)} µs per selection (cached summaries)`,
    );
    expect(micros).toBeLessThan(500);
  });
});

describe("leastCost", () => {
  const priced = [
    { id: "gpt", costRank: 3 },
    { id: "haiku", costRank: 1 },
    { id: "groq", costRank: 2 },
    { id: "local" },
  ];

  it("orders by price per token; unpriced ones after the priced, by cost_rank", () => {
    const prices: Record<string, number> = { gpt: 0.01, haiku: 0.002, groq: 0.0006 };
    expect(ids(leastCost(priced, (c) => prices[c.id], seededRng(1)))).toEqual([
      "groq",
      "haiku",
      "gpt",
      "local",
    ]);
    const someUnknown: Record<string, number> = { gpt: 0.01 };
    expect(ids(leastCost(priced, (c) => someUnknown[c.id], seededRng(1)))).toEqual([
      "gpt",
      "haiku",
      "groq",
      "local",
    ]);
  });

  it("without prices, by cost_rank; a candidate without either last", () => {
    expect(ids(leastCost(priced, () => null, seededRng(1)))).toEqual(["haiku", "groq", "gpt", "local"]);
  });

  it("shuffles exact ties with the rng, deterministically", () => {
    const twins = [{ id: "k1" }, { id: "k2" }, { id: "k3" }];
    const rng = seededRng(11);
    const firsts = new Set<string>();
    for (let i = 0; i < 200; i += 1) firsts.add(leastCost(twins, () => 0.001, rng)[0]!.id);
    expect(firsts).toEqual(new Set(["k1", "k2", "k3"]));
    expect(leastCost(twins, () => 1, seededRng(4))).toEqual(leastCost(twins, () => 1, seededRng(4)));
  });

  it("a NaN price counts as unknown", () => {
    expect(
      ids(leastCost([{ id: "nan" }, { id: "ok" }], (c) => (c.id === "nan" ? Number.NaN : 5), seededRng(1))),
    ).toEqual(["ok", "nan"]);
  });

  it("blendedPrice weighs input and output by the expected tokens (400 in, 300 out)", () => {
    expect(blendedPrice({ input: 1, output: 4 })).toBeCloseTo((400 + 1_200) / 700);
    expect(blendedPrice({ input: 1, output: 4 }, 0, 100)).toBe(4);
    expect(blendedPrice({ input: 2, output: 9 }, 0, 0)).toBe(2);
  });
});
