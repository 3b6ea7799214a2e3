import { describe, expect, it } from "vitest";
import {
  isLatencySnapshot,
  LatencyPriors,
  mergeLatencySnapshots,
  type LatencySnapshot,
} from "../../src/core/latency/index.js";
import { FakeClock } from "../helpers/fake-clock.js";

const within = (actual: number, expected: number) =>
  expect(Math.abs(actual / expected - 1)).toBeLessThan(0.04);

describe("LatencyPriors", () => {
  it("keeps latency and TTFT apart, per deployment", () => {
    const clock = new FakeClock();
    const priors = new LatencyPriors();
    for (let i = 1; i <= 100; i += 1) {
      priors.observe("a", { latencyMs: i * 10, ttftMs: i }, clock.now());
      priors.observe("b", { latencyMs: 5_000 }, clock.now());
    }
    const a = priors.summary("a", clock.now());
    within(a.latency!.p50, 500);
    within(a.latency!.p95, 950);
    within(a.latency!.p99, 990);
    within(a.ttft!.p95, 95);
    expect(priors.summary("b", clock.now())).toMatchObject({ latency: { count: 100 }, ttft: null });
    expect(priors.summary("never", clock.now())).toEqual({ latency: null, ttft: null });
    expect(priors.deployments()).toEqual(["a", "b"]);
  });

  it("ignores values that are not latencies", () => {
    const priors = new LatencyPriors();
    priors.observe("a", { latencyMs: Number.NaN, ttftMs: -1 }, 0);
    priors.observe("a", { latencyMs: null }, 0);
    expect(priors.summary("a", 0)).toEqual({ latency: null, ttft: null });
  });

  it("the default window is 1800 s (ModelMuxer's LATENCY_PRIORS_WINDOW_S)", () => {
    const clock = new FakeClock(1_700_000_040_000);
    const priors = new LatencyPriors();
    expect(priors.windowMs).toBe(1_800_000);
    priors.observe("a", { latencyMs: 100 }, clock.now());
    clock.advance(1_799_999);
    expect(priors.summary("a", clock.now()).latency).toMatchObject({ count: 1 });
    clock.advance(1);
    expect(priors.summary("a", clock.now()).latency).toBeNull();
  });

  it("caches a summary: refreshed after refreshMs or refreshEvery observations, at once for a first one", () => {
    const clock = new FakeClock(1_700_000_040_000);
    const priors = new LatencyPriors({ refreshMs: 1_000, refreshEvery: 4 });
    expect(priors.summary("a", clock.now()).latency).toBeNull();
    priors.observe("a", { latencyMs: 100 }, clock.now());
    const first = priors.summary("a", clock.now());
    expect(first.latency!.count).toBe(1); // the first observation shows at once
    priors.observe("a", { latencyMs: 100 }, clock.now());
    expect(priors.summary("a", clock.now())).toBe(first); // cached
    clock.advance(1_000);
    expect(priors.summary("a", clock.now()).latency!.count).toBe(2); // refreshed by time
    const cached = priors.summary("a", clock.now());
    for (let i = 0; i < 4; i += 1) priors.observe("a", { latencyMs: 100 }, clock.now());
    expect(priors.summary("a", clock.now())).not.toBe(cached);
    expect(priors.summary("a", clock.now()).latency!.count).toBe(6); // refreshed by count
  });

  it("nodes share: a peer's snapshot counts like local observations, and is replaced, not added again", () => {
    const now = 1_700_000_040_000;
    const one = new LatencyPriors();
    const two = new LatencyPriors();
    const both = new LatencyPriors();
    for (let i = 1; i <= 50; i += 1) {
      one.observe("d", { latencyMs: i * 10 }, now);
      two.observe("d", { latencyMs: 1_000 + i * 10, ttftMs: 200 }, now);
      both.observe("d", { latencyMs: i * 10 }, now);
      both.observe("d", { latencyMs: 1_000 + i * 10, ttftMs: 200 }, now);
    }
    const shared = JSON.parse(JSON.stringify(two.snapshot(now))) as unknown;
    expect(isLatencySnapshot(shared)).toBe(true);
    expect(one.setPeer("node-2", shared as LatencySnapshot)).toBe(true);
    expect(one.summary("d", now)).toEqual(both.summary("d", now));
    expect(one.setPeer("node-2", shared as LatencySnapshot)).toBe(true);
    expect(one.summary("d", now).latency!.count).toBe(100);
    expect(Object.keys(one.snapshot(now).deployments)).toEqual(["d"]);
    expect(one.snapshot(now).deployments["d"]!.ttft).toEqual([]); // local data only
    one.deletePeer("node-2");
    expect(one.summary("d", now).latency!.count).toBe(50);
  });

  it("a peer's observations age out of the window like local ones", () => {
    const now = 1_700_000_040_000;
    const peer = new LatencyPriors();
    peer.observe("d", { latencyMs: 100 }, now);
    const priors = new LatencyPriors();
    priors.setPeer("p", peer.snapshot(now));
    expect(priors.summary("d", now).latency!.count).toBe(1);
    expect(priors.summary("d", now + 1_800_000).latency).toBeNull();
  });

  it("refuses a snapshot with another layout or slice length", () => {
    const other = new LatencyPriors({ sliceMs: 10_000 });
    other.observe("d", { latencyMs: 1 }, 0);
    const priors = new LatencyPriors();
    expect(priors.setPeer("p", other.snapshot(0))).toBe(false);
    expect(priors.summary("d", 0).latency).toBeNull();
  });
});

describe("mergeLatencySnapshots", () => {
  const now = 1_700_000_040_000;
  const node = (offset: number, id: string) => {
    const priors = new LatencyPriors();
    for (let i = 0; i < 20; i += 1)
      priors.observe(id, { latencyMs: offset + i, ttftMs: offset }, now - i * 120_000);
    return priors.snapshot(now);
  };
  const a = node(100, "x");
  const b = node(200, "x");
  const c = node(300, "y");

  it("is commutative and associative, and sums counts exactly", () => {
    expect(mergeLatencySnapshots([a, b])).toEqual(mergeLatencySnapshots([b, a]));
    expect(mergeLatencySnapshots([mergeLatencySnapshots([a, b])!, c])).toEqual(
      mergeLatencySnapshots([a, mergeLatencySnapshots([b, c])!]),
    );
    const priors = new LatencyPriors();
    priors.setPeer("all", mergeLatencySnapshots([a, b, c])!);
    expect(priors.summary("x", now).latency!.count).toBe(30); // 15 of each node's 20 are in the 30-minute window
    expect(priors.summary("y", now).ttft!.count).toBe(15);
  });

  it("leaves out incompatible snapshots; null for none", () => {
    const other = new LatencyPriors({ sliceMs: 1_000 });
    other.observe("z", { latencyMs: 1 }, now);
    expect(Object.keys(mergeLatencySnapshots([a, other.snapshot(now)])!.deployments)).toEqual(["x"]);
    expect(mergeLatencySnapshots([])).toBeNull();
  });

  it("isLatencySnapshot rejects what is not one", () => {
    expect(isLatencySnapshot(null)).toBe(false);
    expect(isLatencySnapshot({ ...a, v: 2 })).toBe(false);
    expect(
      isLatencySnapshot({ ...a, deployments: { x: { latency: [{ s: 1, b: [1, -1] }], ttft: [] } } }),
    ).toBe(false);
  });
});
