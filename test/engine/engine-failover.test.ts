import { describe, expect, it } from "vitest";
import {
  AllDeploymentsFailedError,
  InvalidRequestError,
  RateLimitedError,
  TimeoutError,
} from "../../src/errors/index.js";
import { FakeClock, seededRng } from "../helpers/fake-clock.js";
import { deployment, engineWith } from "../helpers/deployments.js";
import { FakeTarget } from "../helpers/fake-target.js";

const request = { model: "x", messages: [{ role: "user", content: "hi" }] };
const rateLimited = (headers: Record<string, string> = {}) => ({
  http: 429,
  headers,
  body: {
    error: { message: "Rate limit reached", type: "requests", param: null, code: "rate_limit_exceeded" },
  },
});

describe("engine: rate limits and cooldowns (fake clock)", () => {
  it("cools a 429 down for exactly the Retry-After and fails over at once", async () => {
    const clock = new FakeClock();
    const a = new FakeTarget("a", [rateLimited({ "retry-after": "7" }), { ok: "from a" }]);
    const b = new FakeTarget("b", [{ ok: "from b" }]);
    const { engine, events } = engineWith([deployment("a", a), deployment("b", b)], { clock });
    const first = await engine.chat("g", request);
    expect(first.deployment.id).toBe("b");
    expect(first.attempts.map((x) => [x.deploymentId, x.kind])).toEqual([
      ["a", "rate_limited"],
      ["b", "success"],
    ]);
    expect(engine.store.health("a").cooldownUntil).toBe(clock.now() + 7000);
    const cooldown = events.find((e) => e.type === "cooldown");
    expect(cooldown).toMatchObject({
      deploymentId: "a",
      reason: "rate_limited",
      durationMs: 7000,
      fromProvider: true,
    });

    clock.advance(6999);
    expect((await engine.chat("g", request)).deployment.id).toBe("b");
    expect(a.calls).toHaveLength(1);
    clock.advance(1);
    expect((await engine.chat("g", request)).deployment.id).toBe("a");
    expect(a.calls).toHaveLength(2);
  });

  it("backs off exponentially with jitter when the 429 carries no signal", async () => {
    const clock = new FakeClock();
    const a = new FakeTarget("a", [rateLimited()]);
    const b = new FakeTarget("b", [{ ok: "b" }]);
    const { engine } = engineWith([deployment("a", a), deployment("b", b)], { clock, rng: () => 0.5 });
    await engine.chat("g", request);
    expect(engine.store.health("a").cooldownUntil - clock.now()).toBe(1000);
    clock.advance(1000);
    await engine.chat("g", request);
    expect(engine.store.health("a").cooldownUntil - clock.now()).toBe(2000);
    clock.advance(2000);
    await engine.chat("g", request);
    expect(engine.store.health("a").cooldownUntil - clock.now()).toBe(4000);
  });

  it("throws RateLimitedError with the earliest recovery when every deployment is cooling", async () => {
    const clock = new FakeClock();
    const a = new FakeTarget("a", [rateLimited({ "retry-after-ms": "5000" })]);
    const b = new FakeTarget("b", [
      rateLimited({ "x-ratelimit-remaining-requests": "0", "x-ratelimit-reset-requests": "2s" }),
    ]);
    const { engine } = engineWith([deployment("a", a), deployment("b", b)], { clock });
    const error = await engine.chat("g", request).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitedError);
    expect((error as RateLimitedError).retryAfterMs).toBe(2000);
    expect((error as RateLimitedError).status).toBe(429);
    expect((error as RateLimitedError).attempts.map((x) => x.deploymentId)).toEqual(["a", "b"]);
    const again = await engine.chat("g", request).catch((e: unknown) => e);
    expect(again).toBeInstanceOf(RateLimitedError);
    expect(a.calls.length + b.calls.length).toBe(2);
  });

  it("waits for the earliest recovery when it is within maxWaitMs", async () => {
    const a = new FakeTarget("a", [rateLimited({ "retry-after-ms": "120" }), { ok: "a again" }]);
    const { engine } = engineWith([deployment("a", a)], { maxWaitMs: 1000 });
    const started = Date.now();
    const outcome = await engine.chat("g", request);
    expect(outcome.body.choices[0]?.message).toMatchObject({ content: "a again" });
    expect(Date.now() - started).toBeGreaterThanOrEqual(110);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it("uses the fallback tier only when every primary is unavailable", async () => {
    const clock = new FakeClock();
    const p1 = new FakeTarget("p1", [rateLimited({ "retry-after": "60" })]);
    const p2 = new FakeTarget("p2", [rateLimited({ "retry-after": "60" })]);
    const f = new FakeTarget("f", [{ ok: "fallback" }]);
    const { engine } = engineWith(
      [deployment("p1", p1), deployment("p2", p2), deployment("f", f, { tier: 1 })],
      { clock },
    );
    const outcome = await engine.chat("g", request);
    expect(outcome.deployment.id).toBe("f");
    expect(outcome.body.model).toBe("f");
    clock.advance(60_000);
    p1.calls.length = 0;
    const back = new FakeTarget("p1", [{ ok: "primary" }]);
    const { engine: second } = engineWith([deployment("p1", back), deployment("f", f, { tier: 1 })], {
      clock,
    });
    expect((await second.chat("g", request)).deployment.id).toBe("p1");
  });

  it("takes a long cooldown on insufficient quota (402 or 429 insufficient_quota)", async () => {
    const clock = new FakeClock();
    const a = new FakeTarget("a", [
      {
        http: 429,
        body: {
          error: {
            message: "You exceeded your current quota",
            type: "insufficient_quota",
            param: null,
            code: "insufficient_quota",
          },
        },
      },
    ]);
    const b = new FakeTarget("b", [
      { http: 402, body: { error: { message: "pay", type: "billing_error", param: null, code: null } } },
    ]);
    const c = new FakeTarget("c", [{ ok: "c" }]);
    const { engine } = engineWith([deployment("a", a), deployment("b", b), deployment("c", c)], {
      clock,
      failure: { quotaCooldownMs: 3_600_000 },
    });
    expect((await engine.chat("g", request)).deployment.id).toBe("c");
    expect(engine.store.health("a")).toMatchObject({
      cooldownUntil: clock.now() + 3_600_000,
      cooldownReason: "quota_exhausted",
    });
    expect(engine.store.health("b")).toMatchObject({
      cooldownUntil: clock.now() + 3_600_000,
      cooldownReason: "quota_exhausted",
    });
  });
});

describe("engine: errors that fail over, disable or return", () => {
  it("takes a deployment with a bad key out of service and keeps serving from the others", async () => {
    const bad = new FakeTarget("bad", [
      {
        http: 401,
        body: {
          error: {
            message: "Incorrect API key provided: sk-abcd****wxyz",
            type: "invalid_request_error",
            param: null,
            code: "invalid_api_key",
          },
        },
      },
    ]);
    const good = new FakeTarget("good", [{ ok: "good" }]);
    const { engine, events } = engineWith([deployment("bad", bad), deployment("good", good)]);
    for (let i = 0; i < 5; i += 1) expect((await engine.chat("g", request)).deployment.id).toBe("good");
    expect(bad.calls).toHaveLength(1);
    const reason = engine.store.health("bad").disabledReason ?? "";
    expect(reason).toContain("rejected key (HTTP 401)");
    expect(reason).not.toContain("abcd");
    expect(events.some((e) => e.type === "disabled" && e.deploymentId === "bad")).toBe(true);
  });

  it("disables a deployment whose model does not exist (404)", async () => {
    const missing = new FakeTarget("m", [
      {
        http: 404,
        body: {
          error: {
            message: "The model does not exist",
            type: "invalid_request_error",
            param: null,
            code: "model_not_found",
          },
        },
      },
    ]);
    const good = new FakeTarget("good", [{ ok: "good" }]);
    const { engine } = engineWith([deployment("m", missing), deployment("good", good)]);
    expect((await engine.chat("g", request)).deployment.id).toBe("good");
    expect(engine.store.health("m").disabledReason).toContain("model not found");
  });

  it("returns a caller's bad request at once: one attempt, no cooldown, provider reason kept", async () => {
    const a = new FakeTarget("a", [
      {
        http: 400,
        body: {
          error: {
            message: "Your request was rejected by the content policy",
            type: "invalid_request_error",
            param: null,
            code: "content_policy_violation",
          },
        },
      },
    ]);
    const b = new FakeTarget("b", [{ ok: "b" }]);
    const { engine } = engineWith([deployment("a", a), deployment("b", b)]);
    const error = await engine.chat("g", request).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect((error as InvalidRequestError).message).toContain("content policy");
    expect((error as InvalidRequestError).status).toBe(400);
    expect(b.calls).toHaveLength(0);
    expect(engine.store.health("a").cooldownUntil).toBe(0);
  });

  it("moves a too-long prompt to a deployment with a larger context window, never the same model", async () => {
    const contextError = {
      http: 400,
      body: {
        error: {
          message: "This model's maximum context length is 8192 tokens",
          type: "invalid_request_error",
          param: "messages",
          code: "context_length_exceeded",
        },
      },
    };
    const small1 = new FakeTarget("s1", [contextError]);
    const small2 = new FakeTarget("s2", [contextError]);
    const large = new FakeTarget("l", [{ ok: "large" }]);
    const { engine } = engineWith([
      deployment("s1", small1, { model: "small", contextWindow: 8192 }),
      deployment("s2", small2, { model: "small", contextWindow: 8192 }),
      deployment("l", large, { model: "large", contextWindow: 128_000, tier: 1 }),
    ]);
    const outcome = await engine.chat("g", request);
    expect(outcome.deployment.id).toBe("l");
    expect(small2.calls).toHaveLength(0);
    expect(engine.store.health("s1").cooldownUntil).toBe(0);
  });

  it("returns context_length_exceeded when no larger model is configured", async () => {
    const contextError = {
      http: 400,
      body: {
        error: {
          message: "maximum context length exceeded",
          type: "invalid_request_error",
          param: "messages",
          code: "context_length_exceeded",
        },
      },
    };
    const a = new FakeTarget("a", [contextError]);
    const b = new FakeTarget("b", [{ ok: "b" }]);
    const { engine } = engineWith([
      deployment("a", a, { model: "m", contextWindow: 8192 }),
      deployment("b", b, { model: "m", contextWindow: 8192 }),
    ]);
    const error = await engine.chat("g", request).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect((error as InvalidRequestError).code).toBe("context_length_exceeded");
    expect(b.calls).toHaveLength(0);
  });

  it("fails over on 500, retries a transiently failed single deployment once", async () => {
    const a = new FakeTarget("a", [{ http: 500 }, { ok: "second try" }]);
    const { engine } = engineWith([deployment("a", a)], { retrySameDelayMs: 10 });
    const outcome = await engine.chat("g", request);
    expect(outcome.body.choices[0]?.message).toMatchObject({ content: "second try" });
    expect(outcome.attempts.map((x) => x.kind)).toEqual(["server_error", "success"]);
  });

  it("does not retry a deployment that never answered (timeout) and reports all attempts", async () => {
    const a = new FakeTarget("a", [{ hang: true }]);
    const b = new FakeTarget("b", [{ network: "ECONNREFUSED" }]);
    const { engine } = engineWith([deployment("a", a), deployment("b", b)], {
      firstTokenTimeoutMs: 50,
      retrySameDelayMs: 5,
    });
    const error = await engine.chat("g", request).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AllDeploymentsFailedError);
    const attempts = (error as AllDeploymentsFailedError).attempts;
    // a is hedged at half its first-token timeout: b fails first, a times out, b gets its one retry.
    expect(attempts.map((x) => [x.deploymentId, x.kind])).toEqual([
      ["b", "network"],
      ["a", "timeout"],
      ["b", "network"],
    ]);
    expect(a.calls).toHaveLength(1);
    expect(a.calls[0]?.signal.aborted).toBe(true);
    expect((error as AllDeploymentsFailedError).status).toBe(502);
  });

  it("enforces the overall deadline with a TimeoutError", async () => {
    const a = new FakeTarget("a", [{ hang: true }]);
    const { engine } = engineWith([deployment("a", a)], { firstTokenTimeoutMs: 5000 });
    const started = Date.now();
    const error = await engine.chat("g", request, { timeoutMs: 80 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it("stops after maxAttempts", async () => {
    const targets = Array.from({ length: 6 }, (_, i) => new FakeTarget(`t${i}`, [{ http: 502 }]));
    const { engine } = engineWith(
      targets.map((t, i) => deployment(`d${i}`, t)),
      { maxAttempts: 3, retrySameLimit: 0 },
    );
    const error = await engine.chat("g", request).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AllDeploymentsFailedError);
    expect((error as AllDeploymentsFailedError).attempts).toHaveLength(3);
  });
});

describe("engine: circuit breaker (fake clock)", () => {
  it("opens after repeated failures, probes half-open, closes on success", async () => {
    const clock = new FakeClock();
    const primary = new FakeTarget("p", [{ http: 503 }, { http: 503 }, { http: 503 }, { ok: "recovered" }]);
    const backup = new FakeTarget("b", [{ ok: "backup" }]);
    const { engine, events } = engineWith([deployment("p", primary), deployment("b", backup, { tier: 1 })], {
      clock,
      retrySameLimit: 0,
      circuit: { failureThreshold: 3, openMs: 10_000 },
      rng: seededRng(1),
    });
    for (let i = 0; i < 3; i += 1) expect((await engine.chat("g", request)).deployment.id).toBe("b");
    expect(engine.store.health("p").circuit).toBe("open");
    for (let i = 0; i < 5; i += 1) expect((await engine.chat("g", request)).deployment.id).toBe("b");
    expect(primary.calls).toHaveLength(3);
    clock.advance(10_000);
    const probe = await engine.chat("g", request);
    expect(probe.deployment.id).toBe("p");
    expect(engine.store.health("p").circuit).toBe("closed");
    const changes = events
      .filter((e) => e.type === "circuit")
      .map((e) => (e.type === "circuit" ? `${e.from}->${e.to}` : ""));
    expect(changes).toEqual(["closed->open", "half_open->closed"]);
  });

  it("re-opens for twice as long when the probe fails", async () => {
    const clock = new FakeClock();
    const primary = new FakeTarget("p", [{ http: 500 }]);
    const backup = new FakeTarget("b", [{ ok: "backup" }]);
    const { engine } = engineWith([deployment("p", primary), deployment("b", backup, { tier: 1 })], {
      clock,
      retrySameLimit: 0,
      circuit: { failureThreshold: 2, openMs: 1000 },
    });
    await engine.chat("g", request);
    await engine.chat("g", request);
    expect(engine.store.health("p").circuitOpenUntil).toBe(clock.now() + 1000);
    clock.advance(1000);
    await engine.chat("g", request);
    expect(engine.store.health("p")).toMatchObject({ circuit: "open", circuitOpenUntil: clock.now() + 2000 });
  });
});
