/**
 * The scenarios of `npm run bench:quota` (the bars of issue 10) and their true quota: what the simulated
 * providers let through over a run, counted from the buckets (capacity + refill × duration).
 */
import type { SimKeyOptions, SimOrgOptions } from "../src/sim/index.js";
import {
  callerErrorsAtMost,
  excessAnsweredFast,
  noCallerErrors,
  servedAllRequests,
  servedQuotaAtLeast,
  upstream429AtMost,
  type Bar,
} from "./quota-bars.js";

/** One simulated API key; `org` makes it draw on that org's limits instead of its own. */
export interface KeySpec {
  readonly id: string;
  /** Requests and tokens per window (unused with an org). */
  readonly rpm: number;
  readonly tpm: number;
  readonly org?: string;
}

/** An organisation whose limits its keys share. */
export interface OrgSpec {
  readonly id: string;
  readonly rpm: number;
  readonly tpm: number;
}

export interface Scenario {
  readonly name: string;
  readonly title: string;
  /** The wire of the simulated provider: OpenAI-compatible, or native Gemini (no rate-limit headers). */
  readonly wire: "openai" | "gemini";
  readonly keys: readonly KeySpec[];
  readonly orgs: readonly OrgSpec[];
  /** The simulator sends no rate-limit headers at all (not even Retry-After). */
  readonly hideHeaders: boolean;
  /** Offered load, % of the true combined quota over the run. */
  readonly loadPercent: number;
  /** Which limit binds: the quota is counted in requests or in tokens. */
  readonly bind: "requests" | "tokens";
  /** `max_tokens` of every request. */
  readonly maxTokens: number;
  /** Gateway nodes (2: on one Redis, arrivals alternate between them). */
  readonly nodes: 1 | 2;
  /** The bars, verdicts for the learned mode. */
  readonly bars: readonly Bar[];
}

export const MODEL = { openai: "gpt-4.1-mini", gemini: "gemini-2.5-flash" } as const;

export const MESSAGES = [
  {
    role: "user" as const,
    content: "Summarise the attached meeting notes in three short bullet points, please.",
  },
];

/** The simulator's token charge of a chat request: ceil(characters / 4) + 4 per message, plus max_tokens. */
export function requestCost(maxTokens: number): number {
  const characters = MESSAGES.reduce((sum, message) => sum + message.content.length, 0);
  return Math.ceil(characters / 4) + 4 * MESSAGES.length + maxTokens;
}

/** Requests bind: 30/20/20/10 rpm (80 per window), tokens far above what requests cost. */
const requestKeys: KeySpec[] = [
  { id: "key-a", rpm: 30, tpm: 1_000_000 },
  { id: "key-b", rpm: 20, tpm: 1_000_000 },
  { id: "key-c", rpm: 20, tpm: 1_000_000 },
  { id: "key-d", rpm: 10, tpm: 1_000_000 },
];
/** Tokens bind: 24k/24k/12k/12k tpm (72k per window ≈ 70 requests of max_tokens 1000), 200 rpm each. */
const tokenKeys: KeySpec[] = [
  { id: "key-a", rpm: 200, tpm: 24_000 },
  { id: "key-b", rpm: 200, tpm: 24_000 },
  { id: "key-c", rpm: 200, tpm: 12_000 },
  { id: "key-d", rpm: 200, tpm: 12_000 },
];
/** Two keys of org "acme" (40 rpm shared) and one separate key of 40 rpm: 80 in truth, 120 apparently. */
const orgKeys: KeySpec[] = [
  { id: "acme-1", rpm: 40, tpm: 1_000_000, org: "acme" },
  { id: "acme-2", rpm: 40, tpm: 1_000_000, org: "acme" },
  { id: "solo", rpm: 40, tpm: 1_000_000 },
];

const base = {
  wire: "openai",
  orgs: [],
  hideHeaders: false,
  bind: "requests",
  maxTokens: 16,
  nodes: 1,
} as const;

/** Every scenario, in the order of the table. */
export const SCENARIOS: readonly Scenario[] = [
  {
    ...base,
    name: "80%",
    title: "80% of the combined quota, requests bind",
    keys: requestKeys,
    loadPercent: 80,
    bars: [servedAllRequests(), noCallerErrors(), upstream429AtMost(1)],
  },
  {
    ...base,
    name: "100%",
    title: "100% of the combined quota, requests bind",
    keys: requestKeys,
    loadPercent: 100,
    bars: [servedQuotaAtLeast(97), noCallerErrors(), upstream429AtMost(1)],
  },
  {
    ...base,
    name: "130%",
    title: "130% of the combined quota, requests bind",
    keys: requestKeys,
    loadPercent: 130,
    bars: [servedQuotaAtLeast(97), excessAnsweredFast(50), upstream429AtMost(2)],
  },
  {
    ...base,
    name: "tokens 90%",
    title: "90% of the combined token quota, tokens bind (max_tokens 1000)",
    keys: tokenKeys,
    loadPercent: 90,
    bind: "tokens",
    maxTokens: 1000,
    bars: [noCallerErrors(), upstream429AtMost(1)],
  },
  {
    ...base,
    name: "tokens 100%",
    title: "100% of the combined token quota, tokens bind (max_tokens 1000)",
    keys: tokenKeys,
    loadPercent: 100,
    bind: "tokens",
    maxTokens: 1000,
    bars: [servedQuotaAtLeast(95), upstream429AtMost(1)],
  },
  {
    ...base,
    name: "gemini 100%",
    title: "Gemini wire (no rate-limit headers; 429 with RetryInfo), 100%",
    wire: "gemini",
    keys: requestKeys,
    loadPercent: 100,
    bars: [servedQuotaAtLeast(90), callerErrorsAtMost(1), upstream429AtMost(5)],
  },
  {
    ...base,
    name: "no headers 100%",
    title: "OpenAI-compatible keys sending no rate-limit headers at all (no Retry-After either), 100%",
    keys: requestKeys,
    hideHeaders: true,
    loadPercent: 100,
    bars: [servedQuotaAtLeast(90), callerErrorsAtMost(1), upstream429AtMost(5)],
  },
  {
    ...base,
    name: "org 100%",
    title: "two keys of one org (40 rpm shared) + one separate key (40 rpm), 100% of the true 80",
    keys: orgKeys,
    orgs: [{ id: "acme", rpm: 40, tpm: 1_000_000 }],
    loadPercent: 100,
    bars: [servedQuotaAtLeast(95), noCallerErrors(), upstream429AtMost(2)],
  },
  {
    ...base,
    name: "2 nodes 100%",
    title: "two gateway nodes on one Redis (arrivals alternate), 100%",
    keys: requestKeys,
    loadPercent: 100,
    nodes: 2,
    bars: [servedQuotaAtLeast(95), noCallerErrors(), upstream429AtMost(2)],
  },
];

/** The simulator's keys and orgs for a scenario. */
export function simulatorLimits(scenario: Scenario): {
  keys: Record<string, SimKeyOptions>;
  orgs: Record<string, SimOrgOptions>;
} {
  const rateLimitHeaders = scenario.hideHeaders ? "none" : "all";
  const keys = Object.fromEntries(
    scenario.keys.map((key): [string, SimKeyOptions] => [
      key.id,
      key.org === undefined
        ? { rpm: key.rpm, tpm: key.tpm, rateLimitHeaders }
        : { org: key.org, rateLimitHeaders },
    ]),
  );
  const orgs = Object.fromEntries(scenario.orgs.map((org) => [org.id, { rpm: org.rpm, tpm: org.tpm }]));
  return { keys, orgs };
}

/**
 * The limits a user would configure for each key knowing the truth: its own, or an even share of its org's
 * (llmux has no notion of an org).
 */
export function configuredLimits(scenario: Scenario, key: KeySpec): { rpm: number; tpm: number } {
  if (key.org === undefined) return { rpm: key.rpm, tpm: key.tpm };
  const org = scenario.orgs.find((candidate) => candidate.id === key.org);
  const members = scenario.keys.filter((candidate) => candidate.org === key.org).length;
  return { rpm: Math.floor((org?.rpm ?? 0) / members), tpm: Math.floor((org?.tpm ?? 0) / members) };
}

/** How the simulator meters: token buckets of `burst × limit`, or fixed windows (burst unused). */
export interface Metering {
  readonly limiter: "bucket" | "window";
  readonly burst: number;
  readonly windowMs: number;
}

/**
 * The true combined quota over `durationMs`, in the binding unit: for each owner of limits (a key without an
 * org, or an org), its bucket's capacity (`burst × limit`) plus its refill (`limit × duration / window`); with
 * fixed windows, a whole limit per window begun.
 */
export function trueQuota(scenario: Scenario, metering: Metering, durationMs: number): number {
  const { limiter, burst, windowMs } = metering;
  const windows = limiter === "window" ? Math.ceil(durationMs / windowMs) : burst + durationMs / windowMs;
  const owners: Array<{ rpm: number; tpm: number }> = [
    ...scenario.keys.filter((key) => key.org === undefined),
    ...scenario.orgs,
  ];
  const unit = (owner: { rpm: number; tpm: number }): number =>
    scenario.bind === "tokens" ? owner.tpm : owner.rpm;
  return owners.reduce((sum, owner) => sum + unit(owner) * windows, 0);
}

/** The true quota in requests: for tokens, the token quota over the cost of one request. */
export function quotaRequests(scenario: Scenario, metering: Metering, durationMs: number): number {
  const quota = trueQuota(scenario, metering, durationMs);
  return scenario.bind === "tokens" ? quota / requestCost(scenario.maxTokens) : quota;
}
