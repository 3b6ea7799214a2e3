import { describe, expect, it } from "vitest";
import { noSpendConfig } from "../../src/config/compile-spend.js";
import { buildGroup, Engine, type Deployment } from "../../src/core/index.js";
import { flatPrice, Pricing } from "../../src/providers/pricing/index.js";
import { SpendControl } from "../../src/server/spend-control.js";
import type { AttemptEndEvent, GroupSpec, Usage } from "../../src/types/index.js";

const groups: GroupSpec[] = [
  {
    name: "g",
    strategy: "weighted",
    automatic: false,
    deployments: [
      {
        id: "p/m",
        providerId: "p",
        model: "m",
        weight: 1,
        tier: 0,
        rpm: null,
        tpm: null,
        rpd: null,
        contextWindow: null,
        firstTokenTimeoutMs: null,
        streamIdleTimeoutMs: null,
        includeUsage: true,
        priceOverride: {
          deployment: { input_per_1m_usd: 2, output_per_1m_usd: 8, cached_input_per_1m_usd: 0.5 },
          provider: null,
        },
      },
    ],
  },
];

function attemptEnd(requestId: string, usage: Usage | null, stream = false): AttemptEndEvent {
  return {
    type: "attempt_end",
    requestId,
    group: "g",
    deploymentId: "p/m",
    model: "m",
    provider: "p",
    attempt: 1,
    stream,
    outcome: usage ? "success" : "failure",
    failure: null,
    status: 200,
    message: null,
    durationMs: 1,
    firstTokenMs: 1,
    usage,
    afterCommit: stream,
    rateLimits: null,
    at: 0,
  };
}

function setup() {
  const engine = new Engine();
  const control = new SpendControl({
    spend: noSpendConfig(),
    providers: [
      {
        id: "p",
        type: "openai-compatible",
        apiKey: "k",
        baseUrl: "http://x",
        headers: {},
        models: [],
        azure: null,
      },
    ],
    groups,
    pricing: new Pricing({ table: null }),
    engine,
    service: null,
  });
  return { engine, control };
}

describe("SpendControl: cost from engine events", () => {
  it("prices usage with cached input at the cached rate, for requests no route admitted (library, other routes)", () => {
    const { engine, control } = setup();
    expect(control.priceOf("p/m")).toMatchObject(flatPrice({ input: 2, output: 8, cachedInput: 0.5 }));
    engine.events.emit(
      attemptEnd("r1", {
        prompt_tokens: 1000,
        completion_tokens: 100,
        total_tokens: 1100,
        prompt_tokens_details: { cached_tokens: 400 },
      }),
    );
    // 600 × $2 + 400 × $0.5 + 100 × $8 per 1M = $0.0022.
    const status = control.status() as { total_usd: number; by_group: Record<string, number> };
    expect(status.total_usd).toBeCloseTo(0.0022, 12);
    expect(status.by_group["g"]).toBeCloseTo(0.0022, 12);
  });

  it("charges an abandoned stream (no usage after the commit) its estimated prompt", async () => {
    const { engine, control } = setup();
    const deployment = { id: "p/m", model: "m", provider: "p", weight: 1, tier: 0, contextWindow: null };
    engine.setGroups([buildGroup("g", "weighted", [deployment as unknown as Deployment])]);
    const admitted = await control.admit("r2", "g", { model: "g", messages: [] }, "chat", {});
    expect(admitted.group).toBe("g");
    engine.events.emit(attemptEnd("r2", null, true));
    // No measurable prompt: the default 400-token prompt at $2 per 1M.
    expect(admitted.spend?.usd).toBeCloseTo(0.0008, 12);
    // A stream that failed before the commit costs nothing.
    const other = await control.admit("r3", "g", { model: "g", messages: [] }, "chat", {});
    engine.events.emit({ ...attemptEnd("r3", null, true), afterCommit: false });
    expect(other.spend?.usd).toBe(0);
  });
});

describe("SpendControl: admit", () => {
  const unpriced = { id: "q/n", model: "n", provider: "q", weight: 1, tier: 0, contextWindow: null };

  function unpricedSetup(spend = noSpendConfig()) {
    const engine = new Engine();
    engine.setGroups([buildGroup("u", "weighted", [unpriced as unknown as Deployment])]);
    const control = new SpendControl({
      spend,
      providers: [],
      groups: [],
      pricing: new Pricing({ table: null }),
      engine,
      service: null,
    });
    return { engine, control };
  }

  it("admits to a group without prices, limit or ledger as it is, with no record and the same headers", async () => {
    const { control } = unpricedSetup();
    const call = {};
    const admitted = await control.admit("r4", "u", { model: "u", messages: [] }, "chat", call);
    expect(admitted).toEqual({ group: "u", spend: null });
    expect(call).toEqual({});
    const deployment = unpriced as unknown as Deployment;
    expect(control.headersFor(admitted.spend, deployment, true)).toEqual({ "x-route-decision": "q:n" });
  });

  it("still gates an unpriced group that has a per-request limit (402: nothing can be shown to fit)", async () => {
    const { control } = unpricedSetup({ ...noSpendConfig(), maxUsdPerRequest: 0.01 });
    await expect(control.admit("r5", "u", { model: "u", messages: [] }, "chat", {})).rejects.toMatchObject({
      status: 402,
    });
  });

  it("keeps a record for a priced group (its estimate goes in the headers)", async () => {
    const { engine, control } = setup();
    const deployment = { id: "p/m", model: "m", provider: "p", weight: 1, tier: 0, contextWindow: null };
    engine.setGroups([buildGroup("g", "weighted", [deployment as unknown as Deployment])]);
    const admitted = await control.admit("r6", "g", { model: "g", messages: [] }, "chat", {});
    expect(admitted.spend).not.toBeNull();
    expect(control.headersFor(admitted.spend, deployment as unknown as Deployment, true)).toHaveProperty(
      "x-route-estimate-usd",
    );
  });
});

describe("SpendControl: unpriced attempts", () => {
  it("keeps no record of an unpriced attempt without a ledger, and still prices a later priced one", () => {
    const { engine, control } = setup();
    const unpricedEnd = {
      ...attemptEnd("r7", { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 }),
    };
    engine.events.emit({ ...unpricedEnd, deploymentId: "q/n", provider: "q", model: "n" });
    expect((control.status() as { total_usd: number }).total_usd).toBe(0);
    engine.events.emit(
      attemptEnd("r7", { prompt_tokens: 1_000_000, completion_tokens: 0, total_tokens: 1_000_000 }),
    );
    engine.events.emit({
      type: "request_end",
      requestId: "r7",
      group: "g",
      stream: false,
      outcome: "success",
      errorCode: null,
      deploymentId: "p/m",
      attempts: 2,
      durationMs: 1,
      upstreamMs: 1,
      at: 0,
    });
    const status = control.status() as { total_usd: number; by_deployment: Record<string, number> };
    expect(status.total_usd).toBeCloseTo(2, 9);
    expect(Object.keys(status.by_deployment)).toEqual(["p/m"]);
  });
});

describe("SpendControl: admitsAsIs", () => {
  it("is true exactly when admit would hold nothing", async () => {
    const { engine, control } = setup();
    const priced = { id: "p/m", model: "m", provider: "p", weight: 1, tier: 0, contextWindow: null };
    const unpriced = { id: "q/n", model: "n", provider: "q", weight: 1, tier: 0, contextWindow: null };
    engine.setGroups([
      buildGroup("g", "weighted", [priced as unknown as Deployment]),
      buildGroup("u", "weighted", [unpriced as unknown as Deployment]),
    ]);
    expect(control.admitsAsIs("r8", "u")).toBe(true);
    expect(await control.admit("r8", "u", { model: "u", messages: [] }, "chat", {})).toEqual({
      group: "u",
      spend: null,
    });
    expect(control.admitsAsIs("r9", "g")).toBe(false);
    expect(control.admitsAsIs("r9", "unknown")).toBe(true);
    expect(await control.admit("r9", "unknown", { model: "unknown", messages: [] }, "chat", {})).toEqual({
      group: "unknown",
      spend: null,
    });
  });
});
