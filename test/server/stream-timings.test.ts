import { performance } from "node:perf_hooks";
import { request } from "undici";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { GatewayMetrics } from "../../src/observability/index.js";
import { startSimulator, type Simulator } from "../../src/sim/index.js";
import type { AttemptEndEvent, EngineEvent } from "../../src/types/index.js";
import { gatewayFor, provider, spec } from "../helpers/gateway.js";

/**
 * Every timing the gateway reports is in one time base: the overhead header, the attempt_end
 * event, the /status percentiles and the /metrics histograms are bounded by what the client
 * measured (a wall-clock time subtracted from a monotonic one is off by ~1.8e12 ms).
 */
let sim: Simulator;
let gateway: ReturnType<typeof gatewayFor>;
let metrics: GatewayMetrics;
let base: string;
const events: EngineEvent[] = [];
/** The longest request any test here made, as the client measured it (stats span the whole file). */
let longest = 0;

beforeAll(async () => {
  sim = await startSimulator({ keys: { "key-a": {}, "key-b": {} }, chunks: 4, chunkDelayMs: 15 });
  metrics = new GatewayMetrics({ processMetrics: false });
  gateway = gatewayFor(
    [provider("a", sim.url, "key-a"), provider("b", sim.url, "key-b")],
    [
      {
        name: "m",
        strategy: "priority",
        automatic: false,
        deployments: [spec("a", "gpt-4.1"), spec("b", "gpt-4.1")],
      },
    ],
    { server: { metrics } },
  );
  gateway.engine.events.on(metrics.listener);
  gateway.engine.events.on((event) => events.push(event));
  await gateway.app.listen({ port: 0, host: "127.0.0.1" });
  const address = gateway.app.server.address();
  base = typeof address === "object" && address ? `http://127.0.0.1:${address.port}` : "";
});
afterAll(async () => {
  await gateway.close();
  await sim.close();
});
beforeEach(() => {
  sim.reset();
  gateway.engine.resetState();
});

/** Sends one chat request and reads the whole answer; returns the overhead header and the client's time. */
async function call(stream: boolean): Promise<{ overheadMs: number; totalMs: number; text: string }> {
  const started = performance.now();
  const response = await request(`${base}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ model: "m", stream, messages: [{ role: "user", content: "hi" }] }),
  });
  const text = await response.body.text();
  const totalMs = performance.now() - started;
  longest = Math.max(longest, totalMs);
  expect(response.statusCode).toBe(200);
  return { overheadMs: Number(response.headers["x-llmux-overhead-ms"]), totalMs, text };
}

function lastAttemptEnd(): AttemptEndEvent {
  const ends = events.filter((e): e is AttemptEndEvent => e.type === "attempt_end");
  const last = ends.at(-1);
  if (!last) throw new Error("no attempt_end event");
  return last;
}

/** The value of one sample line of the /metrics text (summed over label sets that match). */
function sampleSum(text: string, pattern: RegExp): number {
  let sum = 0;
  for (const line of text.split("\n")) if (pattern.test(line)) sum += Number(line.split(" ").at(-1));
  return sum;
}

describe("gateway timings are in one time base", () => {
  it.each([
    ["stream", true, false],
    ["non-stream", false, false],
    ["stream after a failover", true, true],
    ["non-stream after a failover", false, true],
  ])("%s: 0 ≤ overhead ≤ total, 0 ≤ TTFT ≤ duration ≤ total", async (_name, stream, failover) => {
    if (failover) sim.addFault({ kind: "status", key: "key-a", status: 500, times: 1 });
    const { overheadMs, totalMs, text } = await call(stream);
    if (stream) expect(text).toContain("data: [DONE]");
    expect(Number.isFinite(overheadMs)).toBe(true);
    expect(overheadMs).toBeGreaterThanOrEqual(0);
    expect(overheadMs).toBeLessThanOrEqual(totalMs);
    // A stream's attempt_end is emitted when the relay ends, before `[DONE]` goes out.
    const end = lastAttemptEnd();
    expect(end).toMatchObject({ outcome: "success", stream });
    expect(end.firstTokenMs).not.toBeNull();
    expect(end.firstTokenMs!).toBeGreaterThanOrEqual(0);
    expect(end.firstTokenMs!).toBeLessThanOrEqual(end.durationMs);
    expect(end.durationMs).toBeLessThanOrEqual(totalMs);
    // The stream took at least its chunk delays; its first token came before the last chunk.
    if (stream) expect(end.durationMs - end.firstTokenMs!).toBeGreaterThan(10);
  });

  it("/status percentiles and /metrics histograms are bounded by the client's times", async () => {
    for (const stream of [true, false, true, false, true]) await call(stream);
    const status = (await gateway.app.inject({ method: "GET", url: "/status" })).json<{
      deployments: Array<{
        id: string;
        stats: {
          latency: { p50: number; p90: number; p99: number; samples: number };
          timeToFirstToken: { p50: number; p90: number; p99: number; samples: number };
        };
      }>;
    }>();
    const a = status.deployments.find((d) => d.id === "a/gpt-4.1")!;
    expect(a.stats.latency.samples).toBeGreaterThanOrEqual(5);
    for (const p of ["p50", "p90", "p99"] as const) {
      const ttft = a.stats.timeToFirstToken[p];
      const latency = a.stats.latency[p];
      expect(ttft, p).toBeGreaterThanOrEqual(0);
      expect(ttft, p).toBeLessThanOrEqual(latency);
      expect(latency, p).toBeLessThanOrEqual(longest);
    }

    const text = await metrics.render();
    const ttftSum = sampleSum(text, /^llmux_time_to_first_token_seconds_sum\{/);
    const ttftCount = sampleSum(text, /^llmux_time_to_first_token_seconds_count\{/);
    const streamLatencySum = sampleSum(text, /^llmux_upstream_latency_seconds_sum\{.*stream="true"/);
    expect(ttftCount).toBeGreaterThanOrEqual(3);
    expect(ttftSum).toBeGreaterThanOrEqual(0);
    expect(ttftSum).toBeLessThanOrEqual(streamLatencySum);
    expect(ttftSum / ttftCount).toBeLessThanOrEqual(longest / 1000);
    const overheadSum = sampleSum(text, /^llmux_gateway_overhead_seconds_sum\{/);
    const overheadCount = sampleSum(text, /^llmux_gateway_overhead_seconds_count\{/);
    expect(overheadCount).toBeGreaterThanOrEqual(5);
    expect(overheadSum).toBeGreaterThanOrEqual(0);
    expect(overheadSum / overheadCount).toBeLessThanOrEqual(longest / 1000);
  });
});
