import OpenAI from "openai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { RunningGateway } from "../../src/cli/gateway.js";
import { startSimulator, type Simulator } from "../../src/sim/index.js";
import { chat, gatewayFromYaml, sseData } from "./helpers.js";

let sim: Simulator;
let gateway: RunningGateway;
let counter = 0;

/** A prompt no other test asked (the cache is shared by the tests of this file). */
function fresh(extra: Record<string, unknown> = {}): Record<string, unknown> {
  counter += 1;
  return {
    model: "smart",
    messages: [{ role: "user", content: `question ${counter} ${Date.now()}` }],
    ...extra,
  };
}

function upstreamCalls(): number {
  return sim.requests.filter((r) => r.path.endsWith("/chat/completions")).length;
}

beforeAll(async () => {
  sim = await startSimulator({ keys: { "key-a": {}, "key-b": {} }, requireKnownKeys: true, chunkDelayMs: 1 });
  gateway = await gatewayFromYaml(`
server: { port: 0 }
cache: { enabled: true, ttl_ms: 10m, max_entries: 3 }
providers:
  - { id: a, type: openai-compatible, base_url: "${sim.url}", api_key: key-a, models: [gpt-4.1] }
  - { id: b, type: openai-compatible, base_url: "${sim.url}", api_key: key-b, models: [gpt-4.1] }
models:
  smart: { deployments: [a/gpt-4.1, b/gpt-4.1] }
  fresh: { deployments: [a/gpt-4.1], cache: false }
`);
});
afterAll(async () => {
  await gateway.close(200);
  await sim.close();
});
beforeEach(() => {
  sim.reset();
});

describe("response cache through the gateway", () => {
  it("miss, then hit: the same body, no upstream call, x-llmux-cache says which", async () => {
    const body = fresh({ temperature: 0 });
    const first = await chat(gateway, body);
    expect(first.status).toBe(200);
    expect(first.headers.get("x-llmux-cache")).toBe("miss");
    expect(upstreamCalls()).toBe(1);
    const second = await chat(gateway, { ...body, user: "someone-else", stream_options: undefined });
    expect(second.status).toBe(200);
    expect(second.headers.get("x-llmux-cache")).toBe("hit");
    expect(second.headers.get("x-llmux-attempts")).toBe("0");
    expect(second.text).toBe(first.text);
    expect(upstreamCalls()).toBe(1);
    // A different sampling parameter is a different answer.
    const third = await chat(gateway, { ...body, temperature: 1 });
    expect(third.headers.get("x-llmux-cache")).toBe("miss");
    expect(upstreamCalls()).toBe(2);
  });

  it("bypass: x-llmux-cache: bypass and cache-control: no-cache go upstream", async () => {
    const body = fresh();
    await chat(gateway, body);
    const bypass = await chat(gateway, body, { "x-llmux-cache": "bypass" });
    expect(bypass.headers.get("x-llmux-cache")).toBe("bypass");
    const noCache = await chat(gateway, body, { "cache-control": "no-cache" });
    expect(noCache.headers.get("x-llmux-cache")).toBe("bypass");
    expect(upstreamCalls()).toBe(3);
    const hit = await chat(gateway, body);
    expect(hit.headers.get("x-llmux-cache")).toBe("hit");
    expect(upstreamCalls()).toBe(3);
  });

  it("a group with cache: false is never cached and says nothing", async () => {
    const body = fresh({ model: "fresh" });
    const first = await chat(gateway, body);
    const second = await chat(gateway, body);
    expect(first.headers.get("x-llmux-cache")).toBeNull();
    expect(second.headers.get("x-llmux-cache")).toBeNull();
    expect(upstreamCalls()).toBe(2);
  });

  it("a streamed answer is stored and replayed as a valid SSE stream (also to the OpenAI SDK), and as a body", async () => {
    const body = fresh({ stream: true });
    const first = await chat(gateway, body);
    expect(first.headers.get("x-llmux-cache")).toBe("miss");
    const original = sseData(first.text);
    expect(original.at(-1)).toBe("[DONE]");
    // The store is written when the stream ends; give the save a moment.
    await new Promise((resolve) => setTimeout(resolve, 20));
    const second = await chat(gateway, body);
    expect(second.headers.get("x-llmux-cache")).toBe("hit");
    expect(second.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const replayed = sseData(second.text);
    expect(replayed.at(-1)).toBe("[DONE]");
    const content = (events: string[]) =>
      events
        .slice(0, -1)
        .map((data) => JSON.parse(data) as { choices: { delta: { content?: string } }[] })
        .map((chunk) => chunk.choices[0]?.delta.content ?? "")
        .join("");
    expect(content(replayed)).toBe(content(original));
    expect(content(replayed).length).toBeGreaterThan(0);
    expect(upstreamCalls()).toBe(1);
    const client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: "x", maxRetries: 0 });
    const stream = await client.chat.completions.create({
      ...(body as unknown as OpenAI.ChatCompletionCreateParamsStreaming),
      stream: true,
    });
    let text = "";
    let finish: string | null = null;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? "";
      finish ??= chunk.choices[0]?.finish_reason ?? null;
    }
    expect(text).toBe(content(original));
    expect(finish).toBe("stop");
    const asBody = await chat(gateway, { ...body, stream: false });
    expect(asBody.headers.get("x-llmux-cache")).toBe("hit");
    const parsed = JSON.parse(asBody.text) as { object: string; choices: { message: { content: string } }[] };
    expect(parsed.object).toBe("chat.completion");
    expect(parsed.choices[0]?.message.content).toBe(content(original));
    expect(upstreamCalls()).toBe(1);
  });

  it("an error answer is never cached", async () => {
    const body = fresh();
    sim.addFault({ kind: "status", status: 400, times: 1 });
    const first = await chat(gateway, body);
    expect(first.status).toBe(400);
    const second = await chat(gateway, body);
    expect(second.headers.get("x-llmux-cache")).toBe("miss");
    expect(second.status).toBe(200);
  });

  it("a cut stream is never cached", async () => {
    const body = fresh({ stream: true });
    sim.addFault({ kind: "cut", afterChunks: 2, times: 2 });
    const first = await chat(gateway, body);
    expect(first.text).toContain('"error"');
    expect(first.text).not.toContain("[DONE]");
    await new Promise((resolve) => setTimeout(resolve, 20));
    const second = await chat(gateway, body);
    expect(second.headers.get("x-llmux-cache")).toBe("miss");
  });

  it("the size bound holds (max_entries: 3) and /metrics counts hits, misses and bytes", async () => {
    const bodies = [fresh(), fresh(), fresh(), fresh(), fresh()];
    for (const body of bodies) await chat(gateway, body);
    await new Promise((resolve) => setTimeout(resolve, 20));
    // The oldest two were evicted; the newest three are served.
    expect((await chat(gateway, bodies[0]!)).headers.get("x-llmux-cache")).toBe("miss");
    expect((await chat(gateway, bodies[4]!)).headers.get("x-llmux-cache")).toBe("hit");
    const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
    const value = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, "m").exec(metrics)?.[1] ?? NaN);
    expect(value("llmux_cache_hits_total")).toBeGreaterThanOrEqual(5);
    expect(value("llmux_cache_misses_total")).toBeGreaterThanOrEqual(8);
    expect(value("llmux_cache_entries")).toBeLessThanOrEqual(3);
    expect(value("llmux_cache_stored_bytes_total")).toBeGreaterThan(0);
    expect(value("llmux_cache_served_bytes_total")).toBeGreaterThan(0);
  });
});
