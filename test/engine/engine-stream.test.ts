import { describe, expect, it } from "vitest";
import { StreamInterruptedError } from "../../src/errors/index.js";
import type { StreamChunkEvent } from "../../src/types/index.js";
import { collect, deployment, engineWith } from "../helpers/deployments.js";
import { FakeTarget } from "../helpers/fake-target.js";

const request = { model: "x", messages: [{ role: "user", content: "hi" }], stream: true };

describe("engine: streams and the commit point", () => {
  it("fails over invisibly when a stream breaks before the first content", async () => {
    const a = new FakeTarget("a", [{ stream: [], end: "throw" }]);
    const b = new FakeTarget("b", [
      { stream: [{ content: "Hel" }, { content: "lo" }, { finish: "stop" }, { done: true }] },
    ]);
    const { engine } = engineWith([deployment("a", a), deployment("b", b)], { retrySameLimit: 0 });
    const outcome = await engine.chatStream("g", request);
    expect(outcome.deployment.id).toBe("b");
    expect(await collect(outcome.chunks)).toBe("Hello");
    expect(outcome.attempts.map((x) => [x.deploymentId, x.kind])).toEqual([
      ["a", "network"],
      ["b", "success"],
    ]);
  });

  it("fails over when the stream closes cleanly before any content (no finish reason)", async () => {
    const a = new FakeTarget("a", [{ stream: [] }]);
    const b = new FakeTarget("b", [{ stream: [{ content: "ok" }, { finish: "stop" }, { done: true }] }]);
    const { engine } = engineWith([deployment("a", a), deployment("b", b)], { retrySameLimit: 0 });
    const outcome = await engine.chatStream("g", request);
    expect(await collect(outcome.chunks)).toBe("ok");
    expect(outcome.attempts[0]?.kind).toBe("stream_cut");
  });

  it("fails over on an in-band error before the first content", async () => {
    const a = new FakeTarget("a", [{ stream: [{ error: "overloaded" }] }]);
    const b = new FakeTarget("b", [{ stream: [{ content: "ok" }, { finish: "stop" }, { done: true }] }]);
    const { engine } = engineWith([deployment("a", a), deployment("b", b)], { retrySameLimit: 0 });
    expect(await collect((await engine.chatStream("g", request)).chunks)).toBe("ok");
  });

  it("after the commit point, a cut stream continues on the next deployment with the text as prefill", async () => {
    const a = new FakeTarget("a", [{ stream: [{ content: "partial" }], end: "close" }]);
    const b = new FakeTarget("b", [{ stream: [{ content: " rest" }, { finish: "stop" }, { done: true }] }]);
    const { engine, events } = engineWith([deployment("a", a), deployment("b", b)]);
    const outcome = await engine.chatStream("g", request);
    const ids = new Set<string>();
    let roles = 0;
    let text = "";
    for await (const event of outcome.chunks) {
      const chunk = JSON.parse(event.data) as {
        id: string;
        choices: Array<{ delta: { content?: string; role?: string } }>;
      };
      ids.add(chunk.id);
      if (chunk.choices[0]?.delta.role !== undefined) roles += 1;
      text += chunk.choices[0]?.delta.content ?? "";
    }
    expect(text).toBe("partial rest");
    expect(ids.size).toBe(1);
    expect(roles).toBe(1);
    const messages = (b.calls[0]?.request as { messages: unknown[] }).messages;
    expect(messages.at(-1)).toEqual({ role: "assistant", content: "partial" });
    const end = events.find((e) => e.type === "request_end");
    expect(end).toMatchObject({ outcome: "success", deploymentId: "b" });
  });

  it("a deployment with prefill: false regenerates the whole answer; the prefix already sent is spliced off", async () => {
    const a = new FakeTarget("a", [{ stream: [{ content: "Hello" }, { content: " wor" }], end: "close" }]);
    const b = new FakeTarget("b", [
      {
        stream: [
          { content: "Hello" },
          { content: " world" },
          { content: "!" },
          { finish: "stop" },
          { done: true },
        ],
      },
    ]);
    const { engine } = engineWith([deployment("a", a), { ...deployment("b", b), prefill: false }]);
    const outcome = await engine.chatStream("g", request);
    expect(await collect(outcome.chunks)).toBe("Hello world!");
    const messages = (b.calls[0]?.request as { messages: unknown[] }).messages;
    expect(messages).toHaveLength(request.messages.length);
  });

  it("a regenerated answer that does not repeat the text sent ends with the in-band error, never garbled", async () => {
    const a = new FakeTarget("a", [{ stream: [{ content: "Hello" }, { content: " wor" }], end: "close" }]);
    const b = new FakeTarget("b", [
      { stream: [{ content: "Hi there" }, { finish: "stop" }, { done: true }] },
    ]);
    const { engine } = engineWith([deployment("a", a), { ...deployment("b", b), prefill: false }], {
      retrySameLimit: 0,
    });
    const outcome = await engine.chatStream("g", request);
    let text = "";
    const error = await (async () => {
      for await (const event of outcome.chunks)
        text +=
          (JSON.parse(event.data) as { choices: Array<{ delta: { content?: string } }> }).choices[0]?.delta
            .content ?? "";
    })().catch((e: unknown) => e);
    expect(text).toBe("Hello wor");
    expect(error).toBeInstanceOf(StreamInterruptedError);
  });

  it("after the commit point, a cut stream that cannot be continued is a typed error, never a clean end", async () => {
    const a = new FakeTarget("a", [{ stream: [{ content: "partial" }], end: "close" }]);
    const b = new FakeTarget("b", [{ http: 503 }]);
    const { engine, events } = engineWith([deployment("a", a), deployment("b", b)], { retrySameLimit: 0 });
    const outcome = await engine.chatStream("g", request);
    let text = "";
    const error = await (async () => {
      for await (const event of outcome.chunks)
        text +=
          (JSON.parse(event.data) as { choices: Array<{ delta: { content?: string } }> }).choices[0]?.delta
            .content ?? "";
    })().catch((e: unknown) => e);
    expect(text).toBe("partial");
    expect(error).toBeInstanceOf(StreamInterruptedError);
    expect((error as StreamInterruptedError).reason).toBe("stream_cut");
    const end = events.find((e) => e.type === "request_end");
    expect(end).toMatchObject({ outcome: "failure", errorCode: "stream_interrupted" });
  });

  it("after the commit point, a stall past the idle timeout is a typed error", async () => {
    const a = new FakeTarget("a", [{ stream: [{ content: "partial" }], end: "stall" }]);
    const { engine } = engineWith([deployment("a", a)], { streamIdleTimeoutMs: 60 });
    const outcome = await engine.chatStream("g", request);
    const started = Date.now();
    const error = await collect(outcome.chunks).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StreamInterruptedError);
    expect((error as StreamInterruptedError).reason).toBe("stream_stall");
    expect(Date.now() - started).toBeLessThan(1000);
    expect(a.calls[0]?.signal.aborted).toBe(true);
  });

  it("after the commit point, an in-band error event is a typed error", async () => {
    const a = new FakeTarget("a", [{ stream: [{ content: "partial" }, { error: "boom" }] }]);
    const { engine } = engineWith([deployment("a", a)]);
    const outcome = await engine.chatStream("g", request);
    const error = await collect(outcome.chunks).catch((e: unknown) => e);
    expect((error as StreamInterruptedError).reason).toBe("stream_error");
    expect((error as Error).message).toContain("boom");
  });

  it("skips and counts a malformed chunk", async () => {
    const a = new FakeTarget("a", [
      {
        stream: [{ content: "a" }, { malformed: true }, { content: "b" }, { finish: "stop" }, { done: true }],
      },
    ]);
    const { engine, events } = engineWith([deployment("a", a)]);
    expect(await collect((await engine.chatStream("g", request)).chunks)).toBe("ab");
    expect(events.filter((e) => e.type === "malformed_chunk")).toHaveLength(1);
  });

  it("ends promptly after a finish reason when [DONE] never comes", async () => {
    const a = new FakeTarget("a", [{ stream: [{ content: "done" }, { finish: "stop" }], end: "stall" }]);
    const { engine, events } = engineWith([deployment("a", a)], {
      finishGraceMs: 50,
      streamIdleTimeoutMs: 10_000,
    });
    const started = Date.now();
    expect(await collect((await engine.chatStream("g", request)).chunks)).toBe("done");
    expect(Date.now() - started).toBeLessThan(1000);
    expect(events.find((e) => e.type === "request_end")).toMatchObject({ outcome: "success" });
  });

  it("asks upstream for usage, counts it, and drops the usage chunk the caller did not ask for", async () => {
    const script = {
      stream: [
        { content: "x" },
        { finish: "stop" },
        { usage: { prompt_tokens: 7, completion_tokens: 1 } },
        { done: true },
      ],
    } as const;
    const a = new FakeTarget("a", [{ ...script, stream: [...script.stream] }]);
    const { engine, events } = engineWith([deployment("a", a)]);
    const seen: StreamChunkEvent[] = [];
    for await (const chunk of (await engine.chatStream("g", request)).chunks) seen.push(chunk);
    expect(a.calls[0]?.request).toMatchObject({ stream: true, stream_options: { include_usage: true } });
    expect(seen.some((c) => c.usageOnly)).toBe(false);
    const end = events.find((e) => e.type === "attempt_end" && e.outcome === "success");
    expect(end).toMatchObject({ usage: { prompt_tokens: 7, completion_tokens: 1, total_tokens: 8 } });

    const b = new FakeTarget("b", [{ ...script, stream: [...script.stream] }]);
    const { engine: second } = engineWith([deployment("b", b)]);
    const kept: StreamChunkEvent[] = [];
    for await (const chunk of (
      await second.chatStream("g", { ...request, stream_options: { include_usage: true } })
    ).chunks)
      kept.push(chunk);
    expect(kept.filter((c) => c.usageOnly)).toHaveLength(1);
  });

  it("a caller's break aborts the upstream request", async () => {
    const a = new FakeTarget("a", [
      { stream: [{ content: "1" }, { waitMs: 20 }, { content: "2" }, { waitMs: 5000 }, { content: "3" }] },
    ]);
    const { engine, events } = engineWith([deployment("a", a)]);
    const outcome = await engine.chatStream("g", request);
    for await (const event of outcome.chunks) {
      if (event.content) break;
    }
    expect(a.calls[0]?.signal.aborted).toBe(true);
    expect(events.find((e) => e.type === "request_end")).toMatchObject({ errorCode: "aborted" });
  });

  it("a caller's signal aborts a stream in flight", async () => {
    const a = new FakeTarget("a", [{ stream: [{ content: "1" }, { waitMs: 5000 }, { content: "2" }] }]);
    const { engine } = engineWith([deployment("a", a)]);
    const controller = new AbortController();
    const outcome = await engine.chatStream("g", request, { signal: controller.signal });
    setTimeout(() => controller.abort(), 30);
    const error = await collect(outcome.chunks).catch((e: unknown) => e);
    expect((error as { code?: string }).code).toBe("aborted");
    expect(a.calls[0]?.signal.aborted).toBe(true);
  });

  it("a slow first token is hedged: the next deployment starts at half the first-token timeout and wins", async () => {
    const slow = new FakeTarget("slow", [{ stream: [{ waitMs: 2000 }, { content: "late" }] }]);
    const fast = new FakeTarget("fast", [
      { stream: [{ content: "fast" }, { finish: "stop" }, { done: true }] },
    ]);
    const { engine } = engineWith([deployment("slow", slow), deployment("fast", fast)], {
      firstTokenTimeoutMs: 80,
    });
    const started = Date.now();
    const outcome = await engine.chatStream("g", request);
    expect(await collect(outcome.chunks)).toBe("fast");
    expect(Date.now() - started).toBeLessThan(1000);
    expect(Date.now() - started).toBeLessThan(80);
    expect(slow.calls[0]?.signal.aborted).toBe(true);
  });
});
