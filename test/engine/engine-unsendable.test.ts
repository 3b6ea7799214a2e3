import { Agent } from "undici";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { buildGroup, createTargets, Engine, groupsFromSpecs } from "../../src/core/index.js";
import { InvalidRequestError, UnsendableRequestError } from "../../src/errors/index.js";
import { GatewayMetrics, StatsCollector } from "../../src/observability/index.js";
import { startSimulator, type Simulator } from "../../src/sim/index.js";
import type { ChatRequest, EngineEvent } from "../../src/types/index.js";
import { deployment, engineWith } from "../helpers/deployments.js";
import { FakeTarget } from "../helpers/fake-target.js";
import { provider, spec } from "../helpers/gateway.js";

/** A value nested `depth` arrays deep: JSON.parse reads it, JSON.stringify overflows the stack. */
function nested(depth: number): unknown {
  return JSON.parse("[".repeat(depth) + "]".repeat(depth)) as unknown;
}

/** A chat request carrying the deep value where every provider's mapper keeps it (a tool schema). */
function deepRequest(stream: boolean): ChatRequest {
  return {
    model: "x",
    stream,
    messages: [{ role: "user", content: "hi" }],
    tools: [
      {
        type: "function",
        function: {
          name: "f",
          parameters: { type: "object", properties: { x: { type: "array", default: nested(5000) } } },
        },
      },
    ],
  } as ChatRequest;
}

let sim: Simulator;
let dispatcher: Agent;
let engine: Engine;
let events: EngineEvent[];
let stats: StatsCollector;
let metrics: GatewayMetrics;
const ids = ["oa-1/gpt-4.1", "oa-2/gpt-4.1", "an-1/claude-sonnet-4-0", "ge-1/gemini-2.5-flash"];

beforeAll(async () => {
  sim = await startSimulator();
  dispatcher = new Agent({ headersTimeout: 0, bodyTimeout: 0, keepAliveTimeout: 1_000 });
});
afterAll(async () => {
  await dispatcher.close();
  await sim.close();
});
beforeEach(() => {
  sim.reset();
  const providers = [
    provider("oa-1", sim.url, "k1"),
    provider("oa-2", sim.url, "k2"),
    { ...provider("an-1", sim.origin, "an-key-1"), type: "anthropic" as const },
    { ...provider("ge-1", sim.origin, "ge-key-1"), type: "gemini" as const },
  ];
  engine = new Engine({ maxWaitMs: 0, circuit: { failureThreshold: 2, openMs: 60_000 } });
  engine.setGroups(
    groupsFromSpecs(
      [
        {
          name: "g",
          strategy: "priority",
          automatic: false,
          deployments: [
            spec("oa-1", "gpt-4.1"),
            spec("oa-2", "gpt-4.1"),
            spec("an-1", "claude-sonnet-4-0"),
            spec("ge-1", "gemini-2.5-flash"),
          ],
        },
      ],
      createTargets(providers, dispatcher),
    ),
  );
  events = [];
  stats = new StatsCollector();
  metrics = new GatewayMetrics({ processMetrics: false });
  engine.events.on((event) => events.push(event));
  engine.events.on(stats.listener);
  engine.events.on(metrics.listener);
});

/** Nothing about any deployment changed: available, circuit closed, no failures counted anywhere. */
async function expectUntouched(): Promise<void> {
  for (const id of ids) {
    const health = engine.store.health(id);
    expect(health, id).toMatchObject({
      cooldownUntil: 0,
      circuit: "closed",
      consecutiveFailures: 0,
      disabledReason: null,
    });
    expect(stats.counters(id), id).toMatchObject({ success: 0, failed: 0, rateLimited: 0, lastError: null });
  }
  expect(
    events.filter((e) => e.type === "cooldown" || e.type === "circuit" || e.type === "disabled"),
  ).toEqual([]);
  const text = await metrics.render();
  expect(text).not.toMatch(/llmux_attempts_total\{[^}]*outcome="failure"/);
  expect(text).not.toMatch(/llmux_failovers_total\{/);
}

describe("engine: a request llmux cannot send is the caller's 400, never the deployments' failure", () => {
  it.each([false, true])(
    "a 5,000-deep body (stream: %s): 400 at once, one attempt, nothing sent",
    async (stream) => {
      for (let round = 0; round < 3; round += 1) {
        const started = performance.now();
        const call = stream
          ? engine.chatStream("g", deepRequest(true))
          : engine.chat("g", deepRequest(false));
        const error = await call.then(
          () => null,
          (thrown: unknown) => thrown,
        );
        expect(error).toBeInstanceOf(UnsendableRequestError);
        expect(error).toBeInstanceOf(InvalidRequestError);
        expect((error as InvalidRequestError).status).toBe(400);
        expect((error as InvalidRequestError).message).toMatch(/cannot be serialised as JSON/);
        expect((error as InvalidRequestError).attempts.map((a) => [a.deploymentId, a.kind])).toEqual([
          ["oa-1/gpt-4.1", "local"],
        ]);
        expect(performance.now() - started).toBeLessThan(1_000);
      }
      expect(sim.requests).toHaveLength(0);
      expect(events.filter((e) => e.type === "attempt_start")).toHaveLength(3);
      await expectUntouched();
      // The group still answers.
      const answer = await engine.chat("g", { model: "x", messages: [{ role: "user", content: "hi" }] });
      expect(answer.deployment.id).toBe("oa-1/gpt-4.1");
    },
  );

  it("the same through a translating target (Anthropic first): 400, nothing sent", async () => {
    const anthropicFirst = engine.group("g")!.deployments[2]!;
    engine.setGroups([buildGroup("g", "priority", [anthropicFirst])]);
    const error = await engine.chat("g", deepRequest(false)).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(UnsendableRequestError);
    expect(sim.requests).toHaveLength(0);
    await expectUntouched();
  });

  it("a Gemini image URL that cannot be fetched: 400, no failover, Gemini untouched", async () => {
    const [openai, , , geminiDeployment] = engine.group("g")!.deployments;
    engine.setGroups([buildGroup("g", "priority", [geminiDeployment!, openai!])]);
    const error = await engine
      .chat("g", {
        model: "x",
        messages: [
          {
            role: "user",
            content: [
              { type: "text", text: "what is this?" },
              { type: "image_url", image_url: { url: "https://127.0.0.1:1/missing.png" } },
            ],
          },
        ],
      } as ChatRequest)
      .catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(UnsendableRequestError);
    expect((error as InvalidRequestError).message).toMatch(/Could not download image/);
    expect((error as InvalidRequestError).attempts.map((a) => a.kind)).toEqual(["local"]);
    expect(sim.requests).toHaveLength(0);
    await expectUntouched();
  });
});

describe("engine: errors thrown by our own code", () => {
  const request = { model: "x", messages: [{ role: "user", content: "hi" }] };

  it("a code-less error from a target (a mapper bug) returns 400 without failover or health change", async () => {
    const a = new FakeTarget("a", []);
    a.chat = () => Promise.reject(new TypeError("Cannot read properties of undefined (reading 'role')"));
    const b = new FakeTarget("b", [{ ok: "from b" }]);
    const { engine: local, events: seen } = engineWith([deployment("a", a), deployment("b", b)], {
      circuit: { failureThreshold: 1, openMs: 60_000 },
    });
    const error = await local.chat("g", request).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(UnsendableRequestError);
    expect((error as InvalidRequestError).status).toBe(400);
    expect(b.calls).toHaveLength(0);
    expect(local.store.health("a")).toMatchObject({
      circuit: "closed",
      consecutiveFailures: 0,
      cooldownUntil: 0,
    });
    expect(seen.filter((e) => e.type === "circuit" || e.type === "cooldown")).toEqual([]);
  });

  it("an error with a system code is still the network's: fails over and counts toward the circuit", async () => {
    const a = new FakeTarget("a", []);
    a.chat = () => Promise.reject(Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" }));
    const b = new FakeTarget("b", [{ ok: "from b" }]);
    const { engine: local } = engineWith([deployment("a", a), deployment("b", b)], {
      circuit: { failureThreshold: 1, openMs: 60_000 },
    });
    const answer = await local.chat("g", request);
    expect(answer.deployment.id).toBe("b");
    expect(answer.attempts.map((x) => x.kind)).toEqual(["network", "success"]);
    expect(local.store.health("a").circuit).toBe("open");
  });

  it("a stream mapper that throws on what the upstream sent is the upstream's failure (fails over)", async () => {
    const a = new FakeTarget("a", []);
    a.chatStream = () =>
      Promise.resolve({
        meta: { status: 200, headers: {} },
        events: (async function* () {
          yield* [];
          throw new TypeError("Cannot read properties of undefined (reading 'delta')");
        })(),
      });
    const b = new FakeTarget("b", [{ stream: [{ content: "ok" }, { finish: "stop" }, { done: true }] }]);
    const { engine: local } = engineWith([deployment("a", a), deployment("b", b)]);
    const answer = await local.chatStream("g", { ...request, stream: true });
    for await (const batch of answer.batches) void batch;
    expect(answer.deployment.id).toBe("b");
    expect(answer.attempts[0]?.kind).toBe("stream_cut");
  });
});
