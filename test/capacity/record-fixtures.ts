/**
 * Records the rate-limit header sequences of test/fixtures/rate-limits/*.json:
 * `npx tsx test/capacity/record-fixtures.ts`. Each fixture holds the truth (capacity and refill of
 * every bucket) and the answers one client saw, in the order they arrived. They come from the real
 * provider simulator over HTTP (`limiter: "bucket"`, a fake clock set to each request's admission
 * time), except Groq's per-day requests bucket, which the simulator meters as fixed days and does not
 * report in `x-ratelimit-*-requests`: that one comes from the bucket model (`bucket-model.ts`).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { startSimulator, type Simulator } from "../../src/sim/index.js";
import { exponential, ModelProvider, seededRng, type HeaderStyle, type ModelLimit } from "./bucket-model.js";

export interface FixtureAnswer {
  sentAt: number;
  at: number;
  status: number;
  cost: { requests: number; tokens: number };
  headers: Record<string, string>;
}

export interface RateLimitFixture {
  description: string;
  /** `simulator` (over HTTP) or `model`. */
  source: "simulator" | "model";
  style: HeaderStyle;
  truth: Record<"requests" | "tokens", { capacity: number; refillPerMinute: number } | null>;
  answers: FixtureAnswer[];
}

interface Recording {
  name: string;
  description: string;
  source: "simulator" | "model";
  style: HeaderStyle;
  requests?: ModelLimit;
  tokens?: ModelLimit;
  /** Our requests per minute, and another client's on the same key. */
  perMinute: number;
  otherPerMinute?: number;
  tokensPerRequest: [number, number];
  /** One-way latency to admission, and time from admission to the answer, ms. */
  toAdmission: [number, number];
  toAnswer: [number, number];
  /** Share of answers whose remaining is off by one or two (a distributed limiter's lag). */
  noisy?: number;
  answers: number;
  seed: number;
}

const start = Date.UTC(2025, 9, 25, 12, 0, 0, 137);
const minute = 60_000;

function between(rng: () => number, [low, high]: [number, number]): number {
  return low + (high - low) * rng();
}

/** What answers a request admitted at `admitAt` costing `tokens` (ours or the other client's). */
type Answerer = (
  admitAt: number,
  tokens: number,
  ours: boolean,
) => Promise<{ status: number; headers: Record<string, string> }>;

function modelAnswerer(recording: Recording): Answerer {
  const provider = new ModelProvider({ ...recording, start });
  return (admitAt, tokens) => Promise.resolve(provider.answer(admitAt, tokens));
}

/** The simulator's first message costs this many prompt tokens (its estimate of "Say hello"). */
let promptTokens = 0;

async function simulatorAnswerer(
  recording: Recording,
): Promise<{ answer: Answerer; sim: Simulator; clock: { now: number } }> {
  const clock = { now: start };
  const limits = (limit: ModelLimit | undefined, option: "rpm" | "tpm") =>
    limit === undefined ? {} : { [option]: limit.limit };
  const burst = recording.requests?.burst ?? recording.tokens?.burst ?? 1;
  const org = { ...limits(recording.requests, "rpm"), ...limits(recording.tokens, "tpm"), burst };
  const sim = await startSimulator({
    limiter: "bucket",
    clock: () => clock.now,
    orgs: { org },
    keys: { ours: { org: "org" }, other: { org: "org" } },
    windowMs: recording.requests?.windowMs ?? minute,
  });
  const answer: Answerer = async (admitAt, tokens, ours) => {
    clock.now = admitAt;
    const key = ours ? "ours" : "other";
    const messages = [{ role: "user", content: "Say hello" }];
    const maxTokens = Math.max(1, tokens - promptTokens);
    const response =
      recording.style === "anthropic"
        ? await fetch(`${sim.url.replace(/\/v1$/, "")}/v1/messages`, {
            method: "POST",
            headers: {
              "x-api-key": key,
              "anthropic-version": "2023-06-01",
              "content-type": "application/json",
            },
            body: JSON.stringify({ model: "claude-x", max_tokens: maxTokens, messages }),
          })
        : await fetch(`${sim.url}/chat/completions`, {
            method: "POST",
            headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
            body: JSON.stringify({ model: "gpt-x", max_tokens: maxTokens, messages }),
          });
    await response.arrayBuffer();
    const charged = sim.requests.at(-1)?.charged;
    if (promptTokens === 0 && typeof charged === "number") promptTokens = charged - maxTokens;
    const headers = Object.fromEntries(
      [...response.headers].filter(([name]) => /ratelimit|retry-after/.test(name)),
    );
    return { status: response.status, headers };
  };
  return { answer, sim, clock };
}

async function record(recording: Recording): Promise<RateLimitFixture> {
  const rng = seededRng(recording.seed);
  promptTokens = 0;
  const simulated = recording.source === "simulator" ? await simulatorAnswerer(recording) : null;
  const answerer = simulated?.answer ?? modelAnswerer(recording);
  type Event = { at: number; kind: "ours" | "other"; cost: number };
  const events: Event[] = [];
  const arrivals = (perMinute: number, kind: Event["kind"]) => {
    for (let at = start + exponential(rng, minute / perMinute); at < start + 30 * minute;) {
      events.push({ at, kind, cost: Math.round(between(rng, recording.tokensPerRequest)) });
      at += exponential(rng, minute / perMinute);
    }
  };
  arrivals(recording.perMinute, "ours");
  if (recording.otherPerMinute) arrivals(recording.otherPerMinute, "other");
  const sends = events
    .map((event) => ({ ...event, admitAt: event.at + between(rng, recording.toAdmission) }))
    .sort((a, b) => a.admitAt - b.admitAt);
  const answers: FixtureAnswer[] = [];
  for (const send of sends) {
    const answer = await answerer(Math.round(send.admitAt), send.cost, send.kind === "ours");
    if (send.kind === "other") continue;
    const headers = { ...answer.headers };
    if (recording.noisy && rng() < recording.noisy) {
      for (const name of Object.keys(headers).filter((header) => header.includes("remaining")))
        headers[name] = String(Math.max(0, Number(headers[name]) + (rng() < 0.5 ? -2 : 1)));
    }
    const sentAt = Math.round(send.at);
    const at = Math.round(send.admitAt + between(rng, recording.toAnswer));
    answers.push({ sentAt, at, status: answer.status, cost: { requests: 1, tokens: send.cost }, headers });
    if (answers.length >= recording.answers * 2) break;
  }
  await simulated?.sim.close();
  const truth = (limit: ModelLimit | undefined) =>
    limit
      ? { capacity: limit.burst * limit.limit, refillPerMinute: (limit.limit / limit.windowMs) * minute }
      : null;
  return {
    description: recording.description,
    source: recording.source,
    style: recording.style,
    truth: { requests: truth(recording.requests), tokens: truth(recording.tokens) },
    answers: answers.sort((a, b) => a.at - b.at).slice(0, recording.answers),
  };
}

const recordings: Recording[] = [
  {
    name: "openai-burst-1",
    source: "simulator",
    description: "OpenAI: 500 RPM, 200k TPM, buckets as large as the limits (burst 1.0); Go-duration resets",
    style: "openai",
    requests: { limit: 500, windowMs: minute, burst: 1 },
    tokens: { limit: 200_000, windowMs: minute, burst: 1 },
    perMinute: 750,
    tokensPerRequest: [200, 3_000],
    toAdmission: [20, 100],
    toAnswer: [200, 1_500],
    answers: 60,
    seed: 1,
  },
  {
    name: "anthropic-burst-0.25",
    source: "simulator",
    description:
      "Anthropic: 50 RPM and 40k TPM enforced as buckets of a quarter of the limit; RFC 3339 resets to the second",
    style: "anthropic",
    requests: { limit: 50, windowMs: minute, burst: 0.25 },
    tokens: { limit: 40_000, windowMs: minute, burst: 0.25 },
    perMinute: 70,
    tokensPerRequest: [300, 1_500],
    toAdmission: [20, 100],
    toAnswer: [300, 3_000],
    answers: 60,
    seed: 2,
  },
  {
    name: "groq-rpd-tpm",
    source: "model",
    description: "Groq: requests per day (14,400 RPD) and tokens per minute (6,000 TPM), both x-ratelimit-*",
    style: "openai",
    requests: { limit: 14_400, windowMs: 1_440 * minute, burst: 1 },
    tokens: { limit: 6_000, windowMs: minute, burst: 1 },
    perMinute: 12,
    tokensPerRequest: [300, 700],
    toAdmission: [20, 80],
    toAnswer: [100, 600],
    answers: 40,
    seed: 3,
  },
  {
    name: "shared-key",
    source: "simulator",
    description:
      "OpenAI: 300 RPM, 150k TPM shared by an organisation; another client (another key of it) sends 40 % of the limit, unseen",
    style: "openai",
    requests: { limit: 300, windowMs: minute, burst: 1 },
    tokens: { limit: 150_000, windowMs: minute, burst: 1 },
    perMinute: 240,
    otherPerMinute: 120,
    tokensPerRequest: [200, 800],
    toAdmission: [20, 100],
    toAnswer: [200, 1_500],
    answers: 60,
    seed: 4,
  },
  {
    name: "noisy-out-of-order",
    source: "simulator",
    description:
      "Anthropic: 120 RPM and 80k TPM (burst 0.5); admission 20-800 ms after the send, answers up to 6 s later (out of order), 10 % of remaining values off by one or two",
    style: "anthropic",
    requests: { limit: 120, windowMs: minute, burst: 0.5 },
    tokens: { limit: 80_000, windowMs: minute, burst: 0.5 },
    perMinute: 180,
    tokensPerRequest: [200, 1_200],
    toAdmission: [20, 800],
    toAnswer: [100, 6_000],
    noisy: 0.1,
    answers: 60,
    seed: 5,
  },
];

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const folder = join(dirname(fileURLToPath(import.meta.url)), "..", "fixtures", "rate-limits");
  mkdirSync(folder, { recursive: true });
  for (const recording of recordings) {
    const fixture = await record(recording);
    writeFileSync(join(folder, `${recording.name}.json`), `${JSON.stringify(fixture, null, 2)}\n`);
    console.log(`recorded ${recording.name}`);
  }
}
