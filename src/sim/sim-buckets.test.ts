import { afterEach, describe, expect, it } from "vitest";
import { startSimulator } from "./index.js";
import type { Simulator, SimulatorOptions } from "./index.js";

/** Token buckets, org-shared limits and hidden headers over HTTP, one wire at a time. */

let sim: Simulator | undefined;
/** 2025-10-25T12:00:00.000Z */
const T0 = Date.UTC(2025, 9, 25, 12, 0, 0);
let now = T0;

async function start(options: SimulatorOptions): Promise<Simulator> {
  now = T0;
  sim = await startSimulator({ limiter: "bucket", clock: () => now, ...options });
  return sim;
}

afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

const messages = [{ role: "user", content: "Say hello" }];

function chat(target: Simulator, key: string, body: object = {}): Promise<Response> {
  return fetch(`${target.url}/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify({ model: "gpt-x", messages, ...body }),
  });
}

function rateHeaders(response: Response): Record<string, string> {
  return Object.fromEntries([...response.headers].filter(([name]) => /ratelimit|retry-after/.test(name)));
}

describe("admission at arrival", () => {
  it("charges a request when it arrives, not after the simulated latency (the provider then generates)", async () => {
    // rpm 60 with burst 1/60: one at once, then one per second.
    const target = await start({ keys: { k1: { rpm: 60 } }, burst: 1 / 60, latencyMs: 150 });
    expect((await chat(target, "k1")).status).toBe(200);
    // Sent at the same clock time; the clock moves 2 s while it is "generated". Admitted on arrival,
    // the bucket is still empty: 429, and its retry-after-ms counts from the arrival.
    const pending = chat(target, "k1");
    await new Promise((resolve) => setTimeout(resolve, 50));
    now += 2_000;
    const limited = await pending;
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after-ms")).toBe("1000");
    // A request arriving after the refill is admitted.
    expect((await chat(target, "k1")).status).toBe(200);
  });
});

describe("bucket mode on the OpenAI wire", () => {
  it("sends x-ratelimit-* with resets until full, and 429 with retry-after, retry-after-ms and OpenAI's body", async () => {
    // rpm 60 with burst 0.05: 3 at once, then one per second; 1200 tpm: 20 tokens per second.
    const target = await start({ keys: { k1: { rpm: 60, tpm: 1200 } }, burst: 0.05 });
    const first = await chat(target, "k1", { max_tokens: 11 }); // 7 prompt tokens + 11
    expect(rateHeaders(first)).toEqual({
      "x-ratelimit-limit-requests": "60",
      "x-ratelimit-remaining-requests": "2",
      "x-ratelimit-reset-requests": "1s",
      "x-ratelimit-limit-tokens": "1200",
      "x-ratelimit-remaining-tokens": "42",
      "x-ratelimit-reset-tokens": "900ms",
    });
    expect(target.requests[0]?.charged).toBe(18);
    await chat(target, "k1", { max_tokens: 1 });
    await chat(target, "k1", { max_tokens: 1 });
    const limited = await chat(target, "k1", { max_tokens: 1 });
    expect(limited.status).toBe(429);
    expect(rateHeaders(limited)).toEqual({
      "x-ratelimit-limit-requests": "60",
      "x-ratelimit-remaining-requests": "0",
      "x-ratelimit-reset-requests": "3s",
      "x-ratelimit-limit-tokens": "1200",
      "x-ratelimit-remaining-tokens": "26",
      "x-ratelimit-reset-tokens": "1.7s",
      "retry-after": "1",
      "retry-after-ms": "1000",
    });
    expect(await limited.json()).toEqual({
      error: {
        message:
          "Rate limit reached for requests per min (RPM) on key k1: Limit 60, Used 60, Requested 1. Please try again in 1s.",
        type: "requests",
        param: null,
        code: "rate_limit_exceeded",
      },
    });
    expect(target.requests[3]?.charged).toBeNull();
    now += 1000;
    expect((await chat(target, "k1")).status).toBe(200);
    expect((await chat(target, "k1")).status).toBe(429);
  });

  it("two keys of one org share its bucket; hidden headers send nothing, not even retry-after", async () => {
    const target = await start({
      orgs: { acme: { rpm: 2 } },
      keys: { a1: { org: "acme" }, a2: { org: "acme", rateLimitHeaders: "none" }, solo: { rpm: 2 } },
    });
    expect((await chat(target, "a1")).headers.get("x-ratelimit-remaining-requests")).toBe("1");
    const quiet = await chat(target, "a2");
    expect(quiet.status).toBe(200);
    expect(rateHeaders(quiet)).toEqual({});
    const limited = await chat(target, "a2");
    expect(limited.status).toBe(429);
    expect(rateHeaders(limited)).toEqual({});
    expect(((await limited.json()) as { error: { message: string } }).error.message).toContain(
      "in organization acme on requests per min (RPM): Limit 2, Used 2",
    );
    expect((await chat(target, "a1")).status).toBe(429);
    expect((await chat(target, "solo")).status).toBe(200);
    expect((await chat(target, "solo")).status).toBe(200);
  });
});

describe("bucket mode on the Anthropic wire", () => {
  it("sends anthropic-ratelimit-* for requests, tokens, input and output tokens, and retry-after on 429", async () => {
    const target = await start({ keys: { k1: { rpm: 50, itpm: 600, otpm: 300 } } });
    const post = (maxTokens: number): Promise<Response> =>
      fetch(`${target.origin}/v1/messages`, {
        method: "POST",
        headers: { "x-api-key": "k1", "anthropic-version": "2023-06-01", "content-type": "application/json" },
        body: JSON.stringify({ model: "claude-x", max_tokens: maxTokens, messages }),
      });
    const first = await post(200); // 7 input tokens, 200 output allowed
    expect(rateHeaders(first)).toEqual({
      "anthropic-ratelimit-requests-limit": "50",
      "anthropic-ratelimit-requests-remaining": "49",
      "anthropic-ratelimit-requests-reset": "2025-10-25T12:00:02Z",
      "anthropic-ratelimit-tokens-limit": "300",
      "anthropic-ratelimit-tokens-remaining": "100",
      "anthropic-ratelimit-tokens-reset": "2025-10-25T12:00:40Z",
      "anthropic-ratelimit-input-tokens-limit": "600",
      "anthropic-ratelimit-input-tokens-remaining": "593",
      "anthropic-ratelimit-input-tokens-reset": "2025-10-25T12:00:01Z",
      "anthropic-ratelimit-output-tokens-limit": "300",
      "anthropic-ratelimit-output-tokens-remaining": "100",
      "anthropic-ratelimit-output-tokens-reset": "2025-10-25T12:00:40Z",
    });
    const limited = await post(150);
    expect(limited.status).toBe(429);
    // 50 output tokens missing at 5 per second.
    expect(limited.headers.get("retry-after")).toBe("10");
    expect(limited.headers.get("retry-after-ms")).toBeNull();
    expect(await limited.json()).toMatchObject({
      type: "error",
      error: {
        type: "rate_limit_error",
        message: expect.stringContaining("rate limit of 300 output tokens per minute"),
      },
    });
    now += 10_000;
    expect((await post(150)).status).toBe(200);
  });
});

describe("bucket mode on the Gemini wire", () => {
  it("sends no rate-limit headers; a 429 carries RetryInfo with the bucket's wait, per minute or per day", async () => {
    const target = await start({
      keys: { k1: { rpm: 30, burst: 0.1 }, k2: { rpd: 1 } },
      limitsPer: "model",
    });
    const generate = (key: string, model = "gemini-x"): Promise<Response> =>
      fetch(`${target.origin}/v1beta/models/${model}:generateContent`, {
        method: "POST",
        headers: { "x-goog-api-key": key, "content-type": "application/json" },
        body: JSON.stringify({ contents: [{ role: "user", parts: [{ text: "Say hello" }] }] }),
      });
    for (let index = 0; index < 3; index += 1) expect(rateHeaders(await generate("k1"))).toEqual({});
    now += 500;
    const limited = await generate("k1");
    expect(limited.status).toBe(429);
    expect(rateHeaders(limited)).toEqual({});
    const body = (await limited.json()) as {
      error: { status: string; details: Array<Record<string, unknown>> };
    };
    expect(body.error.status).toBe("RESOURCE_EXHAUSTED");
    expect(body.error.details).toContainEqual({
      "@type": "type.googleapis.com/google.rpc.RetryInfo",
      retryDelay: "1.5s",
    });
    // Per model: another model of the same key has its own bucket.
    expect((await generate("k1", "gemini-y")).status).toBe(200);
    expect((await generate("k2")).status).toBe(200);
    const daily = (await (await generate("k2")).json()) as {
      error: { details: Array<{ violations?: Array<{ quotaId: string }>; retryDelay?: string }> };
    };
    expect(daily.error.details[0]?.violations?.[0]?.quotaId).toBe(
      "GenerateRequestsPerDayPerProjectPerModel-FreeTier",
    );
    expect(daily.error.details[2]?.retryDelay).toBe("43199.5s");
  });
});
