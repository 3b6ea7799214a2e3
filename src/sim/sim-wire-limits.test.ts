import { afterEach, describe, expect, it } from "vitest";
import { startSimulator } from "./index.js";
import type { Simulator, SimulatorOptions } from "./index.js";

let sim: Simulator | undefined;

async function start(options?: SimulatorOptions): Promise<Simulator> {
  sim = await startSimulator(options);
  return sim;
}

afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

/** Rate limits on the Anthropic and Gemini wires (the OpenAI wire is covered in `sim.test.ts`). */

function post(target: Simulator, body: unknown, key = "k1"): Promise<Response> {
  return fetch(`${target.origin}/v1/messages`, {
    method: "POST",
    headers: { "x-api-key": key, "anthropic-version": "2023-06-01", "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}

function generate(target: Simulator, options: { key?: string } = {}): Promise<Response> {
  return fetch(`${target.origin}/v1beta/models/gemini-x:generateContent`, {
    method: "POST",
    headers: { "x-goog-api-key": options.key ?? "k1", "content-type": "application/json" },
    body: JSON.stringify({ contents: [{ role: "user", parts: [{ text: "Say hello" }] }] }),
  });
}

async function errorOf(
  response: Response,
): Promise<{ message: string; details: { reason: string }[]; status: string }> {
  return (
    (await response.json()) as { error: { message: string; details: { reason: string }[]; status: string } }
  ).error;
}

const json = (response: Response): Promise<unknown> => response.json();
const base = { model: "claude-x", max_tokens: 100, messages: [{ role: "user", content: "Say hello" }] };
const stream = { ...base, stream: true };
/** 2025-10-25T12:00:00.000Z */
const T0 = Date.UTC(2025, 9, 25, 12, 0, 0);

const HELP = {
  "@type": "type.googleapis.com/google.rpc.Help",
  links: [
    {
      description: "Learn more about Gemini API quotas",
      url: "https://ai.google.dev/gemini-api/docs/rate-limits",
    },
  ],
};

function quotaError(metric: string, quotaId: string, value: string, retryDelay: string): unknown {
  return {
    error: {
      code: 429,
      message: "Resource has been exhausted (e.g. check quota).",
      status: "RESOURCE_EXHAUSTED",
      details: [
        {
          "@type": "type.googleapis.com/google.rpc.QuotaFailure",
          violations: [
            {
              quotaMetric: `generativelanguage.googleapis.com/${metric}`,
              quotaId,
              quotaDimensions: { location: "global", model: "gemini-x" },
              quotaValue: value,
            },
          ],
        },
        HELP,
        { "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay },
      ],
    },
  };
}

const RPM_QUOTA = [
  "generate_content_free_tier_requests",
  "GenerateRequestsPerMinutePerProjectPerModel-FreeTier",
];

describe("anthropic rate limits", () => {
  it("sends anthropic-ratelimit-* headers with RFC 3339 resets and a 429 rate_limit_error", async () => {
    let now = T0 + 250;
    const target = await start({ keys: { k1: { rpm: 2, tpm: 1000 } }, clock: () => now });
    const first = await post(target, base);
    const limits = Object.fromEntries(
      [...first.headers].filter(
        ([name]) => name.startsWith("anthropic-ratelimit-") || name.startsWith("x-ratelimit"),
      ),
    );
    // 7 prompt tokens + max_tokens 100
    expect(limits).toEqual({
      "anthropic-ratelimit-requests-limit": "2",
      "anthropic-ratelimit-requests-remaining": "1",
      "anthropic-ratelimit-requests-reset": "2025-10-25T12:01:01Z",
      "anthropic-ratelimit-tokens-limit": "1000",
      "anthropic-ratelimit-tokens-remaining": "893",
      "anthropic-ratelimit-tokens-reset": "2025-10-25T12:01:01Z",
    });
    now += 20_000;
    const second = await post(target, stream);
    expect(second.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
    expect(second.headers.get("anthropic-ratelimit-requests-remaining")).toBe("0");
    expect(second.headers.get("anthropic-ratelimit-tokens-remaining")).toBe("786");
    await second.text();
    const limited = await post(target, base);
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("40");
    expect(limited.headers.get("retry-after-ms")).toBeNull();
    expect(limited.headers.get("anthropic-ratelimit-requests-remaining")).toBe("0");
    expect(limited.headers.get("request-id")).toBe("req_sim_3");
    const body = await json(limited);
    expect(body).toEqual({
      type: "error",
      error: {
        type: "rate_limit_error",
        message: expect.stringContaining("rate limit of 2 requests per minute"),
      },
      request_id: "req_sim_3",
    });
    now = T0 + 60_250;
    expect((await post(target, base)).status).toBe(200);
  });

  it("limits tokens and shares the window with OpenAI requests of the same key", async () => {
    const target = await start({ keys: { k1: { tpm: 150 } }, clock: () => T0 });
    const chat = await fetch(`${target.url}/chat/completions`, {
      method: "POST",
      headers: { authorization: "Bearer k1", "content-type": "application/json" },
      body: JSON.stringify({ model: "m", messages: base.messages, max_tokens: 100 }),
    });
    expect(chat.headers.get("x-ratelimit-remaining-tokens")).toBe("43");
    const limited = await post(target, base);
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("60");
    expect(limited.headers.get("anthropic-ratelimit-tokens-remaining")).toBe("43");
    expect((await errorOf(limited)).message).toContain("rate limit of 150 tokens per minute");
  });
});

describe("gemini rate limits", () => {
  it("answers 429 RESOURCE_EXHAUSTED with QuotaFailure, Help and RetryInfo, and no rate-limit headers", async () => {
    let now = T0;
    const target = await start({ keys: { k1: { rpm: 1 }, k2: { tpm: 10 } }, clock: () => now });
    const ok = await generate(target);
    expect(ok.status).toBe(200);
    const names = (response: Response) =>
      [...response.headers.keys()].filter((name) => /ratelimit|retry/.test(name));
    expect(names(ok)).toEqual([]);
    now += 22_500;
    const limited = await generate(target);
    expect(limited.status).toBe(429);
    expect(names(limited)).toEqual([]);
    expect(await json(limited)).toEqual(quotaError(RPM_QUOTA[0]!, RPM_QUOTA[1]!, "1", "37.5s"));
    // 7 prompt tokens + 5 chunks > 10
    const tokens = await generate(target, { key: "k2" });
    expect(await json(tokens)).toEqual(
      quotaError(
        "generate_content_free_tier_input_token_count",
        "GenerateContentInputTokensPerModelPerMinute-FreeTier",
        "10",
        "60s",
      ),
    );
  });

  it("wraps every Gemini error body in an array with geminiWrapErrorsInArray", async () => {
    const target = await start({
      keys: { k1: { rpm: 1 } },
      requireKnownKeys: true,
      geminiWrapErrorsInArray: true,
    });
    await generate(target);
    const limited = await generate(target);
    expect(await json(limited)).toEqual([
      quotaError(RPM_QUOTA[0]!, RPM_QUOTA[1]!, "1", expect.stringMatching(/s$/)),
    ]);
    const unknown = await generate(target, { key: "nope" });
    expect(
      ((await unknown.json()) as { error: { details: { reason: string }[] } }[])[0]?.error.details[0]!.reason,
    ).toBe("API_KEY_INVALID");
    target.addFault({ kind: "status", status: 503, times: 1 });
    expect(
      ((await (await generate(target)).json()) as { error: { status: string } }[])[0]?.error.status,
    ).toBe("UNAVAILABLE");
    target.addFault({ kind: "status", status: 500, body: { custom: true }, times: 1 });
    expect(await json(await generate(target))).toEqual({ custom: true });
  });
});
