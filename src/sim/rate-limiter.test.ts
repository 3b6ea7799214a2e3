import { describe, expect, it } from "vitest";
import { anthropicLimitHeaders, openAiLimitHeaders } from "./limit-headers.js";
import { openAiLimitMessage } from "./limit-messages.js";
import type { SimKeyOptions, SimOrgOptions } from "./limit-types.js";
import { RateLimiter, type Admission, type Charge, type RateLimiterOptions } from "./rate-limiter.js";

const T0 = Date.UTC(2025, 9, 25, 12, 0, 0);

interface Setup extends Partial<Omit<RateLimiterOptions, "clock">> {
  keys?: Record<string, SimKeyOptions>;
  orgs?: Record<string, SimOrgOptions>;
}

/** A limiter on a fake clock (`at(ms)` moves it to T0 + ms); bucket mode with a 60 s window by default. */
function limiter(setup: Setup) {
  let now = T0;
  const limits = new RateLimiter({
    kind: "bucket",
    windowMs: 60_000,
    burst: 1,
    perModel: false,
    countRejected: false,
    dayMs: 86_400_000,
    dayOrigin: 0,
    ...setup,
    clock: () => now,
  });
  for (const [org, options] of Object.entries(setup.orgs ?? {})) limits.setOrg(org, options);
  for (const [key, options] of Object.entries(setup.keys ?? {})) limits.setLimits(key, options);
  const admit = (key: string, charge: Partial<Charge> = {}): Admission =>
    limits.admit({ key, model: "m", input: 10, output: 0, ...charge });
  const at = (ms: number): void => {
    now = T0 + ms;
  };
  return { limits, admit, at };
}

type Rejection = Extract<Admission, { admitted: false }>;

function rejected(admission: Admission): Rejection {
  if (admission.admitted) throw new Error("expected a rejection");
  return admission;
}

function statuses(admit: () => Admission, times: number): string {
  return Array.from({ length: times }, () => (admit().admitted ? "ok" : "429")).join(" ");
}

describe("RateLimiter in bucket mode", () => {
  it("admits a burst of burst × rpm, then one request per window / rpm", () => {
    const { admit, at } = limiter({ keys: { k1: { rpm: 60, burst: 0.25 } } });
    expect(statuses(() => admit("k1"), 16)).toBe(`${"ok ".repeat(15)}429`);
    at(999);
    expect(admit("k1").admitted).toBe(false);
    at(1000);
    expect(statuses(() => admit("k1"), 2)).toBe("ok 429");
    // Resting 60 s refills only the burst, not the whole limit.
    at(61_000);
    expect(statuses(() => admit("k1"), 16)).toBe(`${"ok ".repeat(15)}429`);
  });

  it("reports OpenAI headers: limit, whole remaining, reset until full; retry-after rounded up on 429", () => {
    const { admit, at } = limiter({ keys: { k1: { rpm: 60, tpm: 6000 } }, burst: 0.5 });
    const first = admit("k1", { input: 20, output: 80 });
    expect(openAiLimitHeaders(first.state)).toEqual({
      "x-ratelimit-limit-requests": "60",
      "x-ratelimit-remaining-requests": "29",
      "x-ratelimit-reset-requests": "1s",
      "x-ratelimit-limit-tokens": "6000",
      "x-ratelimit-remaining-tokens": "2900",
      "x-ratelimit-reset-tokens": "1s",
    });
    at(400);
    const second = admit("k1", { input: 20, output: 2880 });
    // 2900 + 40 refilled - 2900 = 40 tokens left: 2960 missing to full, at 100 per second.
    expect(openAiLimitHeaders(second.state)).toMatchObject({
      "x-ratelimit-remaining-requests": "28",
      // 28.4 left: 1.6 missing at one per second.
      "x-ratelimit-reset-requests": "1.6s",
      "x-ratelimit-remaining-tokens": "40",
      "x-ratelimit-reset-tokens": "29.6s",
    });
    const limited = rejected(admit("k1", { input: 20, output: 80 }));
    expect(limited).toMatchObject({ dimension: "tokens", limit: 6000, used: 5960, requested: 100 });
    expect(limited.retryMs).toBe(600);
    expect(openAiLimitHeaders(limited.state, limited.retryMs)).toMatchObject({
      "retry-after": "1",
      "retry-after-ms": "600",
      "x-ratelimit-remaining-tokens": "40",
    });
    expect(openAiLimitMessage(limited)).toBe(
      "Rate limit reached for tokens per min (TPM) on key k1: Limit 6000, Used 5960, Requested 100. Please try again in 600ms.",
    );
  });

  it("a request above a bucket's capacity is too large, whatever the wait", () => {
    const { admit } = limiter({ keys: { "sk-abcdef": { tpm: 1000, burst: 0.1 } } });
    const limited = rejected(admit("sk-abcdef", { input: 10, output: 100 }));
    expect(limited.tooLarge).toBe(true);
    expect(limited.retryMs).toBe(1);
    expect(openAiLimitMessage(limited)).toBe(
      "Request too large for tokens per min (TPM) on key ...cdef: Limit 1000, Requested 110. Please try again in 1ms.",
    );
  });

  it("keys of one org share its buckets; a separate key has its own", () => {
    const { admit, at } = limiter({
      orgs: { acme: { rpm: 4 } },
      keys: { a1: { org: "acme" }, a2: { org: "acme" }, solo: { rpm: 4 } },
    });
    expect(["a1", "a2", "a1", "a2", "a1"].map((key) => admit(key).admitted)).toEqual([
      true,
      true,
      true,
      true,
      false,
    ]);
    expect(statuses(() => admit("solo"), 5)).toBe("ok ok ok ok 429");
    const limited = rejected(admit("a2"));
    expect(openAiLimitMessage(limited)).toBe(
      "Rate limit reached for all models in organization acme on requests per min (RPM): Limit 4, Used 4, Requested 1. Please try again in 15s.",
    );
    expect(openAiLimitHeaders(limited.state)["x-ratelimit-limit-requests"]).toBe("4");
    at(15_000);
    expect(admit("a2").admitted).toBe(true);
    expect(admit("a1").admitted).toBe(false);
  });

  it("rejects a key with an org and limits of its own, and a burst outside (0, 1]", () => {
    const { limits } = limiter({});
    expect(() => limits.setLimits("k", { org: "acme", rpm: 1 })).toThrow(/cannot have limits of its own/);
    expect(() => limits.setLimits("k", { rpm: 1, burst: 0 })).toThrow(/burst must be in \(0, 1\]/);
    expect(() => limits.setOrg("o", { rpm: 1, burst: 1.5 })).toThrow(/burst/);
  });

  it("meters each model separately with limitsPer model", () => {
    const { admit } = limiter({ keys: { k1: { rpm: 1 } }, perModel: true });
    expect(admit("k1", { model: "a" }).admitted).toBe(true);
    expect(admit("k1", { model: "b" }).admitted).toBe(true);
    const limited = rejected(admit("k1", { model: "a" }));
    expect(openAiLimitMessage(limited)).toMatch(
      /^Rate limit reached for a in organization k1 on requests per min \(RPM\)/,
    );
  });

  it("counts rejected requests against the request bucket only with countRejected", () => {
    const hammer = (countRejected: boolean): string => {
      const { admit, at } = limiter({
        keys: { k1: { rpm: 60, tpm: 100_000, burst: 1 / 60 } },
        countRejected,
      });
      const seen: string[] = [];
      // One request fits per second; a caller retrying every 500 ms.
      for (let ms = 0; ms <= 3000; ms += 500) {
        at(ms);
        seen.push(admit("k1").admitted ? "ok" : "429");
      }
      return seen.join(" ");
    };
    expect(hammer(false)).toBe("ok 429 ok 429 ok 429 ok");
    // Each rejection empties the refilled half: the caller is locked out while it keeps retrying.
    expect(hammer(true)).toBe("ok 429 429 429 429 429 429");
  });

  it("per-day quotas are fixed days next to the per-minute buckets, reset at UTC midnight", () => {
    const { admit, at } = limiter({ keys: { k1: { rpm: 100, rpd: 3 } } });
    expect(statuses(() => admit("k1"), 4)).toBe("ok ok ok 429");
    const limited = rejected(admit("k1"));
    expect(limited.dimension).toBe("requests-per-day");
    expect(limited.retryMs).toBe(12 * 3_600_000);
    expect(openAiLimitMessage(limited)).toBe(
      "Rate limit reached for requests per day (RPD) on key k1: Limit 3, Used 3, Requested 1. Please try again in 12h0m0s.",
    );
    // No header reports a per-day quota.
    expect(Object.keys(openAiLimitHeaders(limited.state))).not.toContain("x-ratelimit-limit-requests-day");
    at(12 * 3_600_000 - 1);
    expect(admit("k1").admitted).toBe(false);
    at(12 * 3_600_000);
    expect(admit("k1").admitted).toBe(true);
  });

  it("per-day token quotas and a configured day length", () => {
    const { admit, at } = limiter({ keys: { k1: { tpd: 100 } }, dayMs: 10_000, dayOrigin: T0 + 4000 });
    expect(admit("k1", { input: 60 }).admitted).toBe(true);
    const limited = rejected(admit("k1", { input: 60 }));
    expect(limited).toMatchObject({ dimension: "tokens-per-day", used: 60, retryMs: 4000 });
    at(4000);
    expect(admit("k1", { input: 60 }).admitted).toBe(true);
  });

  it("Anthropic headers: requests, tokens, input and output tokens with RFC 3339 resets when full", () => {
    const { admit } = limiter({ keys: { k1: { rpm: 50, itpm: 30_000, otpm: 8000 } } });
    const admitted = admit("k1", { input: 1000, output: 4000 });
    expect(anthropicLimitHeaders(admitted.state)).toEqual({
      "anthropic-ratelimit-requests-limit": "50",
      "anthropic-ratelimit-requests-remaining": "49",
      "anthropic-ratelimit-requests-reset": "2025-10-25T12:00:02Z",
      // The most restrictive token limit: output, 4000 left.
      "anthropic-ratelimit-tokens-limit": "8000",
      "anthropic-ratelimit-tokens-remaining": "4000",
      "anthropic-ratelimit-tokens-reset": "2025-10-25T12:00:30Z",
      "anthropic-ratelimit-input-tokens-limit": "30000",
      "anthropic-ratelimit-input-tokens-remaining": "29000",
      "anthropic-ratelimit-input-tokens-reset": "2025-10-25T12:00:02Z",
      "anthropic-ratelimit-output-tokens-limit": "8000",
      "anthropic-ratelimit-output-tokens-remaining": "4000",
      "anthropic-ratelimit-output-tokens-reset": "2025-10-25T12:00:30Z",
    });
    const limited = rejected(admit("k1", { input: 1000, output: 4500 }));
    expect(limited.dimension).toBe("output-tokens");
    expect(anthropicLimitHeaders(limited.state, limited.retryMs)["retry-after"]).toBe("4");
  });

  it("hides headers per key: only retry-after, or none", () => {
    const { admit } = limiter({
      keys: {
        quiet: { rpm: 1, rateLimitHeaders: "retry-after" },
        silent: { rpm: 1, rateLimitHeaders: "none" },
      },
    });
    expect(openAiLimitHeaders(admit("quiet").state)).toEqual({});
    const quiet = rejected(admit("quiet"));
    expect(openAiLimitHeaders(quiet.state, quiet.retryMs)).toEqual({ "retry-after": "60" });
    expect(anthropicLimitHeaders(quiet.state, quiet.retryMs)).toEqual({ "retry-after": "60" });
    admit("silent");
    const silent = rejected(admit("silent"));
    expect(openAiLimitHeaders(silent.state, silent.retryMs)).toEqual({});
    expect(anthropicLimitHeaders(silent.state, silent.retryMs)).toEqual({});
  });

  it("retry-after waits for every refusing limit; setLimits keeps the counts of unchanged limits", () => {
    const { limits, admit } = limiter({ keys: { k1: { rpm: 2, tpm: 20 } } });
    admit("k1", { input: 20 });
    const limited = rejected(admit("k1", { input: 20 }));
    // Tokens refuse (20 missing: 60 s); requests would allow one more.
    expect(limited.retryMs).toBe(60_000);
    limits.setLimits("k1", { rpm: 2, tpm: 40 });
    expect(admit("k1", { input: 20 }).admitted).toBe(true);
    expect(rejected(admit("k1", { input: 20 })).dimension).toBe("requests");
  });
});

describe("RateLimiter in window mode", () => {
  it("keeps fixed windows that reset to full, with one window for requests and tokens", () => {
    const { admit, at } = limiter({ kind: "window", windowMs: 1000, keys: { k1: { rpm: 2, tpm: 100 } } });
    admit("k1", { input: 10 });
    at(250);
    const second = admit("k1", { input: 10 });
    expect(openAiLimitHeaders(second.state)).toMatchObject({
      "x-ratelimit-remaining-requests": "0",
      "x-ratelimit-reset-requests": "750ms",
      "x-ratelimit-remaining-tokens": "80",
      "x-ratelimit-reset-tokens": "750ms",
    });
    at(999);
    expect(rejected(admit("k1")).retryMs).toBe(1);
    at(1000);
    expect(statuses(() => admit("k1"), 3)).toBe("ok ok 429");
  });

  it("ignores burst, and counts rejected requests only with countRejected", () => {
    const { admit } = limiter({ kind: "window", burst: 0.1, countRejected: true, keys: { k1: { rpm: 3 } } });
    expect(statuses(() => admit("k1"), 4)).toBe("ok ok ok 429");
    expect(rejected(admit("k1")).used).toBe(3);
  });
});
