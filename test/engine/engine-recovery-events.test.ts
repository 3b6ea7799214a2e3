/**
 * Recoveries and hedges as engine events, counted in /metrics (`stream_recoveries_total`,
 * `hedges_total`), in the per-deployment stats and on the outcome; `max_stream_recoveries: 0` and
 * `hedge: false` turn them off; `same_tier_wait_ms` bounds the wait for a rate-limited tier.
 */
import { describe, expect, it } from "vitest";
import { buildGroup } from "../../src/core/index.js";
import { Multiplexer } from "../../src/library/index.js";
import { GatewayMetrics, StatsCollector } from "../../src/observability/index.js";
import { collect, deployment, engineWith } from "../helpers/deployments.js";
import { FakeTarget } from "../helpers/fake-target.js";

const request = { model: "x", messages: [{ role: "user", content: "hi" }], stream: true };

function observed(engine: ReturnType<typeof engineWith>["engine"]) {
  const metrics = new GatewayMetrics({ processMetrics: false });
  const stats = new StatsCollector();
  engine.events.on(metrics.listener);
  engine.events.on(stats.listener);
  return { metrics, stats };
}

function series(text: string, name: string): string[] {
  return text.split("\n").filter((line) => line.startsWith(`llmux_${name}{`));
}

describe("recovery and hedge events", () => {
  it("a cut stream continued with a prefill counts result=prefill on the deployment that broke", async () => {
    const a = new FakeTarget("a", [{ stream: [{ content: "partial" }], end: "close" }]);
    const b = new FakeTarget("b", [{ stream: [{ content: " rest" }, { finish: "stop" }, { done: true }] }]);
    const { engine, events } = engineWith([deployment("a", a), deployment("b", b)]);
    const { metrics, stats } = observed(engine);
    const outcome = await engine.chatStream("g", request);
    expect(await collect(outcome.chunks)).toBe("partial rest");
    expect(outcome.recovery).toBe("prefill");
    expect(events.filter((e) => e.type === "stream_recovery")).toMatchObject([
      { deploymentId: "a", toDeploymentId: "b", result: "prefill", group: "g" },
    ]);
    expect(series(await metrics.render(), "stream_recoveries_total")).toEqual([
      'llmux_stream_recoveries_total{group="g",deployment="a",result="prefill"} 1',
    ]);
    expect(stats.counters("a").recoveries).toEqual({ prefill: 1, spliced: 0, failed: 0 });
    expect(stats.counters("b").recoveries).toEqual({ prefill: 0, spliced: 0, failed: 0 });
  });

  it("a regenerated answer spliced on counts result=spliced; one that does not match counts failed", async () => {
    const cut = () =>
      new FakeTarget("a", [{ stream: [{ content: "Hello" }, { content: " wor" }], end: "close" }]);
    const good = new FakeTarget("b", [
      { stream: [{ content: "Hello" }, { content: " world!" }, { finish: "stop" }, { done: true }] },
    ]);
    const first = engineWith([deployment("a", cut()), { ...deployment("b", good), prefill: false }]);
    const one = observed(first.engine);
    const spliced = await first.engine.chatStream("g", request);
    expect(await collect(spliced.chunks)).toBe("Hello world!");
    expect(spliced.recovery).toBe("spliced");
    expect(one.stats.counters("a").recoveries).toEqual({ prefill: 0, spliced: 1, failed: 0 });

    const other = new FakeTarget("b", [
      { stream: [{ content: "Hi there" }, { finish: "stop" }, { done: true }] },
    ]);
    const second = engineWith([deployment("a", cut()), { ...deployment("b", other), prefill: false }], {
      retrySameLimit: 0,
    });
    const two = observed(second.engine);
    const garbled = await second.engine.chatStream("g", request);
    await expect(collect(garbled.chunks)).rejects.toMatchObject({ code: "stream_interrupted" });
    expect(garbled.recovery).toBe("failed");
    expect(series(await two.metrics.render(), "stream_recoveries_total")).toEqual([
      'llmux_stream_recoveries_total{group="g",deployment="a",result="failed"} 1',
    ]);
  });

  it("no deployment to continue on counts failed; max_stream_recoveries 0 never tries", async () => {
    const a = new FakeTarget("a", [{ stream: [{ content: "partial" }], end: "close" }]);
    const b = new FakeTarget("b", [{ http: 503 }]);
    const { engine } = engineWith([deployment("a", a), deployment("b", b)], { retrySameLimit: 0 });
    const { stats } = observed(engine);
    const outcome = await engine.chatStream("g", request);
    await expect(collect(outcome.chunks)).rejects.toMatchObject({ code: "stream_interrupted" });
    expect(outcome.recovery).toBe("failed");
    expect(stats.counters("a").recoveries).toEqual({ prefill: 0, spliced: 0, failed: 1 });

    const c = new FakeTarget("c", [{ stream: [{ content: "partial" }], end: "close" }]);
    const d = new FakeTarget("d", [{ stream: [{ content: " rest" }, { finish: "stop" }, { done: true }] }]);
    const off = engineWith([deployment("c", c), deployment("d", d)], { maxStreamRecoveries: 0 });
    const offOutcome = await off.engine.chatStream("g", request);
    await expect(collect(offOutcome.chunks)).rejects.toMatchObject({ code: "stream_interrupted" });
    expect(offOutcome.recovery).toBeNull();
    expect(d.calls).toHaveLength(0);
    expect(off.events.some((e) => e.type === "stream_recovery")).toBe(false);
  });

  it("a hedge that answers first counts started and won on the hedge's deployment", async () => {
    const slow = new FakeTarget("slow", [{ stream: [{ waitMs: 2000 }, { content: "late" }] }]);
    const fast = new FakeTarget("fast", [
      { stream: [{ content: "fast" }, { finish: "stop" }, { done: true }] },
    ]);
    const { engine } = engineWith([deployment("slow", slow), deployment("fast", fast)], {
      firstTokenTimeoutMs: 80,
    });
    const { metrics, stats } = observed(engine);
    const outcome = await engine.chatStream("g", request);
    expect(await collect(outcome.chunks)).toBe("fast");
    expect(outcome.hedge).toBe("won");
    expect(stats.counters("fast").hedges).toEqual({ started: 1, won: 1, lost: 0 });
    expect(series(await metrics.render(), "hedges_total").sort()).toEqual([
      'llmux_hedges_total{group="g",deployment="fast",result="started"} 1',
      'llmux_hedges_total{group="g",deployment="fast",result="won"} 1',
    ]);
  });

  it("a hedge the raced attempt beats counts lost; hedge: false starts none", async () => {
    const late = () =>
      new FakeTarget("late", [
        { stream: [{ waitMs: 300 }, { content: "first" }, { finish: "stop" }, { done: true }] },
      ]);
    const slower = new FakeTarget("slower", [
      { stream: [{ waitMs: 3000 }, { content: "second" }, { finish: "stop" }, { done: true }] },
    ]);
    const { engine } = engineWith([deployment("late", late()), deployment("slower", slower)], {
      firstTokenTimeoutMs: 1000,
    });
    const { stats } = observed(engine);
    engine.setGroups([
      buildGroup("g", "priority", engine.groups()[0]!.deployments, [], { hedgeAfterMs: 100 }),
    ]);
    const outcome = await engine.chatStream("g", request);
    expect(await collect(outcome.chunks)).toBe("first");
    expect(outcome.hedge).toBe("lost");
    expect(stats.counters("slower").hedges).toEqual({ started: 1, won: 0, lost: 1 });
    expect(slower.calls[0]?.signal.aborted).toBe(true);

    const idle = new FakeTarget("idle", [{ stream: [{ content: "never" }] }]);
    const off = engineWith([deployment("late", late()), deployment("idle", idle)], {
      firstTokenTimeoutMs: 1000,
    });
    off.engine.setGroups([
      buildGroup("g", "priority", off.engine.groups()[0]!.deployments, [], {
        hedge: false,
        hedgeAfterMs: 50,
      }),
    ]);
    const plain = await off.engine.chatStream("g", request);
    expect(await collect(plain.chunks)).toBe("first");
    expect(plain.hedge).toBeNull();
    expect(idle.calls).toHaveLength(0);
  });

  it("the library takes prefill per entry and hedging per multiplexer, and counts both in getStats", async () => {
    const mux = new Multiplexer({ strategy: "priority", maxWaitMs: 0, hedge: false, hedgeAfterMs: 50 });
    const a = new FakeTarget("a", [
      { stream: [{ waitMs: 150 }, { content: "Hello" }, { content: " wor" }], end: "close" },
    ]);
    const b = new FakeTarget("b", [
      { stream: [{ content: "Hello world" }, { finish: "stop" }, { done: true }] },
    ]);
    mux.addModel(a, 1, "a");
    mux.addFallbackModel(b, 1, "b", { prefill: false });
    const stream = await mux.chat.completions.create({
      model: "any",
      stream: true,
      messages: [{ role: "user", content: "hi" }],
    });
    let text = "";
    for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? "";
    expect(text).toBe("Hello world");
    // Not hedged (hedge: false), though the first token took longer than hedgeAfterMs.
    expect(b.calls).toHaveLength(1);
    expect(b.calls[0]?.request).not.toMatchObject({ messages: [{}, { role: "assistant" }] });
    const stats = mux.getStats();
    expect(stats["a"]?.recoveries).toEqual({ prefill: 0, spliced: 1, failed: 0 });
    expect(stats["b"]?.hedges).toEqual({ started: 0, won: 0, lost: 0 });
  });

  it("same_tier_wait_ms: a 429 whose Retry-After is within it waits for the tier; 0 drops to the fallback at once", async () => {
    const limited = () =>
      new FakeTarget("p", [
        { http: 429, headers: { "retry-after-ms": "150" }, body: { error: { message: "slow down" } } },
        { ok: "primary" },
      ]);
    const fallback = () => new FakeTarget("f", [{ ok: "fallback" }]);
    const plain = { model: "x", messages: [{ role: "user", content: "hi" }] };
    const waits = engineWith([deployment("p", limited()), deployment("f", fallback(), { tier: 1 })], {
      maxWaitMs: 1000,
    });
    const waited = await waits.engine.chat("g", plain);
    expect(waited.deployment.id).toBe("p");
    const off = engineWith([deployment("p", limited()), deployment("f", fallback(), { tier: 1 })], {
      maxWaitMs: 1000,
      sameTierWaitMs: 0,
    });
    const dropped = await off.engine.chat("g", plain);
    expect(dropped.deployment.id).toBe("f");
    const short = engineWith([deployment("p", limited()), deployment("f", fallback(), { tier: 1 })], {
      maxWaitMs: 1000,
      sameTierWaitMs: 100,
    });
    expect((await short.engine.chat("g", plain)).deployment.id).toBe("f");
  });
});
