import { describe, expect, it } from "vitest";
import { resolveEngineOptions } from "../../src/core/options.js";
import { buildGroup, type Deployment, type Group, type Strategy } from "../../src/core/plan.js";
import { pickRoundRobin, pickWeighted } from "../../src/core/select.js";
import { Selector, type Choice, type NoChoice } from "../../src/core/selector.js";
import { MemoryStateStore } from "../../src/state/index.js";
import type { Rng, Target } from "../../src/types/index.js";

/** Deterministic PRNG (mulberry32). */
function mulberry32(seed: number): Rng {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** An rng that returns the given values in a loop. */
function scripted(values: readonly number[]): Rng {
  let index = 0;
  return () => values[index++ % values.length]!;
}

const target: Target = {
  provider: "p",
  chat: async () => {
    throw new Error("not used");
  },
  chatStream: async () => {
    throw new Error("not used");
  },
  embeddings: async () => {
    throw new Error("not used");
  },
};

function deployment(id: string, weight = 1, tier = 0): Deployment {
  return {
    id,
    model: `model-${id}`,
    provider: "p",
    target,
    weight,
    tier,
    contextWindow: null,
    includeUsage: true,
    timeouts: {},
  };
}

const circuit = resolveEngineOptions({}).circuit;
const t0 = 1_700_000_000_000;
const all = (): boolean => true;

function pick(choice: Choice | NoChoice): string | null {
  return choice.deployment?.id ?? null;
}

function picks(
  selector: Selector,
  group: Group,
  count: number,
  now = t0,
  eligible: (deployment: Deployment) => boolean = all,
): (string | null)[] {
  return Array.from({ length: count }, () => pick(selector.choose(group, now, eligible)));
}

function countShares(weights: readonly number[], total: number, seed: number): number[] {
  const rng = mulberry32(seed);
  const candidates = weights.map((weight) => ({ weight }));
  const counts = weights.map(() => 0);
  for (let i = 0; i < total; i += 1) {
    const index = pickWeighted(candidates, rng);
    counts[index] = (counts[index] ?? 0) + 1;
  }
  return counts.map((count) => count / total);
}

describe("pickWeighted", () => {
  it.each<[string, number[], number, number]>([
    ["empty", [], 0.5, -1],
    ["single", [5], 0.99, 0],
    ["single zero weight", [0], 0.5, 0],
    ["5:3 at 0", [5, 3], 0, 0],
    ["5:3 at 0.6", [5, 3], 0.6, 0],
    ["5:3 just below the boundary", [5, 3], 0.624, 0],
    ["5:3 at the boundary", [5, 3], 0.625, 1],
    ["5:3 at 0.999", [5, 3], 0.999, 1],
    ["1:1:2 at 0.24", [1, 1, 2], 0.24, 0],
    ["1:1:2 at 0.25", [1, 1, 2], 0.25, 1],
    ["1:1:2 at 0.49", [1, 1, 2], 0.49, 1],
    ["1:1:2 at 0.5", [1, 1, 2], 0.5, 2],
    ["1:1:2 at 0.99", [1, 1, 2], 0.99, 2],
    ["zero weight first never picked", [0, 1], 0, 1],
    ["zero weight last never picked", [1, 0], 0.999, 0],
    ["zero weight in the middle skipped", [1, 0, 1], 0.5, 2],
    ["zero weight at start with rng 0", [0, 1, 0], 0, 1],
    ["negative weight counts as zero", [-5, 1], 0, 1],
    ["all zero: uniform at 0", [0, 0, 0], 0, 0],
    ["all zero: uniform at 0.5", [0, 0, 0], 0.5, 1],
    ["all zero: uniform at 0.99", [0, 0, 0], 0.99, 2],
  ])("%s", (_name, weights, value, expected) => {
    expect(
      pickWeighted(
        weights.map((weight) => ({ weight })),
        () => value,
      ),
    ).toBe(expected);
  });

  it.each<[string, number[], number[], number]>([
    ["5:3", [5, 3], [5 / 8, 3 / 8], 1],
    ["5:3 (another seed)", [5, 3], [5 / 8, 3 / 8], 987_654],
    ["1:1:2", [1, 1, 2], [0.25, 0.25, 0.5], 42],
    ["zero weight", [0, 3, 1], [0, 0.75, 0.25], 7],
    ["equal", [1, 1, 1, 1], [0.25, 0.25, 0.25, 0.25], 2024],
  ])("%s over 80,000 picks is within ±2%%", (_name, weights, expected, seed) => {
    const shares = countShares(weights, 80_000, seed);
    shares.forEach((share, index) => expect(Math.abs(share - expected[index]!)).toBeLessThan(0.02));
  });

  it("zero weight is picked exactly never", () => {
    expect(countShares([0, 3, 1], 80_000, 7)[0]).toBe(0);
  });

  it("is deterministic for a seed", () => {
    const sequence = (seed: number): number[] => {
      const rng = mulberry32(seed);
      return Array.from({ length: 50 }, () =>
        pickWeighted([{ weight: 1 }, { weight: 1 }, { weight: 2 }], rng),
      );
    };
    expect(sequence(99)).toEqual(sequence(99));
    expect(sequence(99)).not.toEqual(sequence(100));
  });
});

describe("pickRoundRobin", () => {
  it.each<[string, number, number, number[], number]>([
    ["empty list", 0, 0, [], -1],
    ["cursor 0", 3, 0, [0, 1, 2], 0],
    ["cursor 2", 3, 2, [0, 1, 2], 2],
    ["cursor wraps", 3, 4, [0, 1, 2], 1],
    ["skips unusable", 3, 1, [0, 2], 2],
    ["skips and wraps", 3, 2, [1], 1],
    ["nothing usable", 3, 0, [], -1],
  ])("%s", (_name, length, cursor, usable, expected) => {
    expect(pickRoundRobin(length, cursor, (index) => usable.includes(index))).toBe(expected);
  });
});

describe("Selector", () => {
  function setup(
    strategy: Strategy,
    deployments: readonly Deployment[],
    rng: Rng = mulberry32(1),
  ): { store: MemoryStateStore; selector: Selector; group: Group } {
    const store = new MemoryStateStore();
    return {
      store,
      selector: new Selector(store, rng, circuit.probeLeaseMs),
      group: buildGroup("g", strategy, deployments),
    };
  }

  function openCircuit(store: MemoryStateStore, id: string, now = t0): void {
    for (let i = 0; i < circuit.failureThreshold; i += 1) store.recordFailure(id, now, circuit);
  }

  describe("weighted", () => {
    it("follows the rng exactly (scripted)", () => {
      const { selector, group } = setup(
        "weighted",
        [deployment("a", 5), deployment("b", 3)],
        scripted([0.1, 0.7, 0.5, 0.9, 0.62, 0.63]),
      );
      expect(picks(selector, group, 6)).toEqual(["a", "b", "a", "b", "a", "b"]);
    });

    it("5:3 over 80,000 choices is within ±2%", () => {
      const { selector, group } = setup("weighted", [deployment("a", 5), deployment("b", 3)], mulberry32(11));
      const chosen = picks(selector, group, 80_000);
      const shareA = chosen.filter((id) => id === "a").length / chosen.length;
      expect(Math.abs(shareA - 0.625)).toBeLessThan(0.02);
      expect(chosen.includes(null)).toBe(false);
    });

    it("only picks available deployments", () => {
      const { store, selector, group } = setup("weighted", [deployment("a", 5), deployment("b", 3)]);
      store.coolDown("a", t0 + 1_000, "rate_limited", false);
      expect(new Set(picks(selector, group, 200))).toEqual(new Set(["b"]));
      expect(new Set(picks(selector, group, 500, t0 + 1_000))).toEqual(new Set(["a", "b"]));
    });
  });

  describe("tiers", () => {
    const deployments = [deployment("a"), deployment("b"), deployment("f", 1, 1)];

    it("buildGroup orders tiers", () => {
      const group = buildGroup("g", "weighted", [deployment("f", 1, 1), deployment("a"), deployment("b")]);
      expect(group.tiers.map((tier) => tier.map((d) => d.id))).toEqual([["a", "b"], ["f"]]);
      expect(group.deployments.map((d) => d.id)).toEqual(["a", "b", "f"]);
    });

    it("never uses the fallback while a primary is available", () => {
      const { selector, group } = setup("weighted", deployments);
      expect(new Set(picks(selector, group, 1_000))).toEqual(new Set(["a", "b"]));
    });

    it.each<[string, (store: MemoryStateStore) => void, string]>([
      ["one primary cooling", (store) => store.coolDown("a", t0 + 60_000, "rate_limited", false), "b"],
      ["one primary disabled", (store) => store.disable("b", "bad key", t0), "a"],
      ["one primary circuit open", (store) => openCircuit(store, "a"), "b"],
      [
        "cooling + disabled → fallback",
        (store) => {
          store.coolDown("a", t0 + 60_000, "rate_limited", false);
          store.disable("b", "bad key", t0);
        },
        "f",
      ],
      [
        "cooling + circuit open → fallback",
        (store) => {
          store.coolDown("a", t0 + 60_000, "overloaded", false);
          openCircuit(store, "b");
        },
        "f",
      ],
      [
        "both cooling → fallback",
        (store) => {
          store.coolDown("a", t0 + 1, "rate_limited", false);
          store.coolDown("b", t0 + 1, "rate_limited", false);
        },
        "f",
      ],
    ])("%s", (_name, arrange, only) => {
      const { store, selector, group } = setup("weighted", deployments);
      arrange(store);
      expect(new Set(picks(selector, group, 200))).toEqual(new Set([only]));
    });

    it("returns to the primary when its cooldown ends", () => {
      const { store, selector, group } = setup("priority", deployments);
      store.coolDown("a", t0 + 5_000, "rate_limited", false);
      store.coolDown("b", t0 + 9_000, "rate_limited", false);
      expect(pick(selector.choose(group, t0, all))).toBe("f");
      expect(pick(selector.choose(group, t0 + 4_999, all))).toBe("f");
      expect(pick(selector.choose(group, t0 + 5_000, all))).toBe("a");
    });

    it("eligible predicate can push to the fallback", () => {
      const { selector, group } = setup("weighted", deployments);
      expect(new Set(picks(selector, group, 100, t0, (d) => d.tier > 0))).toEqual(new Set(["f"]));
      expect(new Set(picks(selector, group, 100, t0, (d) => d.id !== "a"))).toEqual(new Set(["b"]));
    });
  });

  describe("priority", () => {
    it("picks the first available in order and moves on as they cool", () => {
      const { store, selector, group } = setup("priority", [
        deployment("a"),
        deployment("b"),
        deployment("c"),
      ]);
      expect(picks(selector, group, 3)).toEqual(["a", "a", "a"]);
      store.coolDown("a", t0 + 1_000, "rate_limited", false);
      expect(picks(selector, group, 3)).toEqual(["b", "b", "b"]);
      store.disable("b", "bad key", t0);
      expect(picks(selector, group, 2)).toEqual(["c", "c"]);
      expect(picks(selector, group, 2, t0 + 1_000)).toEqual(["a", "a"]);
    });

    it("ignores weights", () => {
      const { selector, group } = setup("priority", [deployment("a", 1), deployment("b", 100)]);
      expect(picks(selector, group, 5)).toEqual(["a", "a", "a", "a", "a"]);
    });

    it("skips deployments the predicate excludes", () => {
      const { selector, group } = setup("priority", [deployment("a"), deployment("b"), deployment("c")]);
      expect(picks(selector, group, 2, t0, (d) => d.id !== "a")).toEqual(["b", "b"]);
    });
  });

  describe("round-robin", () => {
    it("cycles in order", () => {
      const { selector, group } = setup("round-robin", [deployment("a"), deployment("b"), deployment("c")]);
      expect(picks(selector, group, 7)).toEqual(["a", "b", "c", "a", "b", "c", "a"]);
    });

    it("skips unavailable ones and resumes them", () => {
      const { store, selector, group } = setup("round-robin", [
        deployment("a"),
        deployment("b"),
        deployment("c"),
      ]);
      expect(picks(selector, group, 1)).toEqual(["a"]);
      store.coolDown("b", t0 + 1_000, "rate_limited", false);
      expect(picks(selector, group, 4)).toEqual(["c", "a", "c", "a"]);
      expect(picks(selector, group, 4, t0 + 1_000)).toEqual(["c", "a", "b", "c"]);
    });

    it("skips excluded ones", () => {
      const { selector, group } = setup("round-robin", [deployment("a"), deployment("b"), deployment("c")]);
      expect(picks(selector, group, 4, t0, (d) => d.id !== "c")).toEqual(["a", "b", "a", "b"]);
    });

    it("clearing the store starts over", () => {
      const { store, selector, group } = setup("round-robin", [
        deployment("a"),
        deployment("b"),
        deployment("c"),
      ]);
      expect(picks(selector, group, 2)).toEqual(["a", "b"]);
      store.clear();
      expect(picks(selector, group, 2)).toEqual(["a", "b"]);
    });

    it("keeps a cursor per tier", () => {
      const { store, selector, group } = setup("round-robin", [
        deployment("a"),
        deployment("b"),
        deployment("x", 1, 1),
        deployment("y", 1, 1),
      ]);
      expect(picks(selector, group, 1)).toEqual(["a"]);
      store.disable("a", "bad", t0);
      store.disable("b", "bad", t0);
      expect(picks(selector, group, 3)).toEqual(["x", "y", "x"]);
    });
  });

  describe("NoChoice", () => {
    const pair = [deployment("a"), deployment("b")];

    it.each<[string, (store: MemoryStateStore) => void, (d: Deployment) => boolean, NoChoice]>([
      [
        "rate-limited + overloaded: earliest end, rateLimited",
        (store) => {
          store.coolDown("a", t0 + 5_000, "rate_limited", false);
          store.coolDown("b", t0 + 2_000, "overloaded", false);
        },
        all,
        { deployment: null, earliest: t0 + 2_000, rateLimited: true },
      ],
      [
        "overloaded + server_error: not rate limited",
        (store) => {
          store.coolDown("a", t0 + 5_000, "overloaded", false);
          store.coolDown("b", t0 + 2_000, "server_error", false);
        },
        all,
        { deployment: null, earliest: t0 + 2_000, rateLimited: false },
      ],
      [
        "quota + disabled",
        (store) => {
          store.coolDown("a", t0 + 3_600_000, "quota_exhausted", false);
          store.disable("b", "bad key", t0);
        },
        all,
        { deployment: null, earliest: t0 + 3_600_000, rateLimited: true },
      ],
      [
        "all disabled: never",
        (store) => {
          store.disable("a", "bad key", t0);
          store.disable("b", "not found", t0);
        },
        all,
        { deployment: null, earliest: null, rateLimited: false },
      ],
      [
        "circuit open + cooling",
        (store) => {
          openCircuit(store, "a");
          store.coolDown("b", t0 + 20_000, "timeout", false);
        },
        all,
        { deployment: null, earliest: t0 + circuit.openMs, rateLimited: false },
      ],
      [
        "excluded deployments are ignored",
        (store) => {
          store.coolDown("a", t0 + 1_000, "rate_limited", false);
          store.disable("b", "bad key", t0);
        },
        (d) => d.id !== "a",
        { deployment: null, earliest: null, rateLimited: false },
      ],
      [
        "everything excluded",
        () => {},
        () => false,
        { deployment: null, earliest: null, rateLimited: false },
      ],
    ])("%s", (_name, arrange, eligible, expected) => {
      for (const strategy of ["weighted", "priority", "round-robin"] as const) {
        const { store, selector, group } = setup(strategy, pair);
        arrange(store);
        expect(selector.choose(group, t0, eligible)).toEqual(expected);
      }
    });

    it("earliest spans fallback tiers", () => {
      const { store, selector, group } = setup("weighted", [deployment("a"), deployment("f", 1, 1)]);
      store.coolDown("a", t0 + 9_000, "rate_limited", false);
      store.coolDown("f", t0 + 4_000, "overloaded", false);
      expect(selector.choose(group, t0, all)).toEqual({
        deployment: null,
        earliest: t0 + 4_000,
        rateLimited: true,
      });
    });

    it("an expired rate-limit cooldown does not count as rate limited", () => {
      const { store, selector, group } = setup("weighted", [deployment("a")]);
      store.coolDown("a", t0 + 1_000, "rate_limited", false);
      openCircuit(store, "a", t0 + 1_000);
      expect(selector.choose(group, t0 + 2_000, all)).toEqual({
        deployment: null,
        earliest: t0 + 1_000 + circuit.openMs,
        rateLimited: false,
      });
    });
  });

  describe("half-open probe", () => {
    it("lets exactly one probe through after the open time, until the lease expires", () => {
      const { store, selector, group } = setup("priority", [deployment("a")]);
      openCircuit(store, "a");
      const openUntil = t0 + circuit.openMs;
      expect(selector.choose(group, openUntil - 1, all)).toEqual({
        deployment: null,
        earliest: openUntil,
        rateLimited: false,
      });
      const first = selector.choose(group, openUntil, all);
      expect(pick(first)).toBe("a");
      expect(first).toMatchObject({ probe: true });
      const leaseUntil = openUntil + circuit.probeLeaseMs;
      expect(selector.choose(group, openUntil, all)).toEqual({
        deployment: null,
        earliest: leaseUntil,
        rateLimited: false,
      });
      expect(selector.choose(group, leaseUntil - 1, all)).toEqual({
        deployment: null,
        earliest: leaseUntil,
        rateLimited: false,
      });
      const again = selector.choose(group, leaseUntil, all);
      expect(pick(again)).toBe("a");
      expect(again).toMatchObject({ probe: true });
    });

    it("a concurrent choose goes elsewhere while the probe is in flight", () => {
      const { store, selector, group } = setup("priority", [deployment("a"), deployment("b")]);
      openCircuit(store, "a");
      const openUntil = t0 + circuit.openMs;
      expect(pick(selector.choose(group, openUntil - 1, all))).toBe("b");
      const probe = selector.choose(group, openUntil, all);
      expect(probe).toMatchObject({ probe: true });
      expect(pick(probe)).toBe("a");
      const second = selector.choose(group, openUntil + 1, all);
      expect(pick(second)).toBe("b");
      expect(second).toMatchObject({ probe: false });
    });

    it("probe success closes the circuit: later chooses are not probes", () => {
      const { store, selector, group } = setup("priority", [deployment("a")]);
      openCircuit(store, "a");
      const openUntil = t0 + circuit.openMs;
      expect(selector.choose(group, openUntil, all)).toMatchObject({ probe: true });
      store.recordSuccess("a", openUntil + 100);
      expect(selector.choose(group, openUntil + 200, all)).toMatchObject({ probe: false });
      expect(selector.choose(group, openUntil + 300, all)).toMatchObject({ probe: false });
    });

    it("probe failure re-opens for twice as long", () => {
      const { store, selector, group } = setup("priority", [deployment("a")]);
      openCircuit(store, "a");
      const openUntil = t0 + circuit.openMs;
      expect(selector.choose(group, openUntil, all)).toMatchObject({ probe: true });
      store.recordFailure("a", openUntil + 100, circuit);
      const reopenUntil = openUntil + 100 + 2 * circuit.openMs;
      expect(selector.choose(group, openUntil + 200, all)).toEqual({
        deployment: null,
        earliest: reopenUntil,
        rateLimited: false,
      });
      expect(selector.choose(group, reopenUntil, all)).toMatchObject({ probe: true });
    });
  });
});
