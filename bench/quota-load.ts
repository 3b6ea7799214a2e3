/**
 * One scenario of `npm run bench:quota`: a fresh simulator per router, open-loop arrivals at a share of the
 * combined quota, every request through a real OpenAI SDK client — via llmux's `Multiplexer` or via the
 * naive baseline — and everything the report needs recorded (caller outcomes, upstream log, llmux events).
 */
import OpenAI from "openai";
import { monitorEventLoopDelay, performance } from "node:perf_hooks";
import { Multiplexer, RateLimitedError, type EngineEvent } from "../src/index.js";
import { startSimulator, type SimFault, type Simulator } from "../src/sim/index.js";
import { NaiveRouter } from "./quota-naive.js";

/** One simulated API key and its limits (per window). */
export interface KeySpec {
  id: string;
  rpm: number;
  tpm: number;
}

export interface Scenario {
  name: string;
  title: string;
  keys: KeySpec[];
  /** Offered load, % of the combined quota of the healthy keys. */
  loadPercent: number;
  /** Which limit binds: the quota is counted in requests or in tokens. */
  bind: "requests" | "tokens";
  /** `max_tokens` of every request (the simulator charges prompt + max_tokens against tpm). */
  maxTokens: number;
  /** A key that fails every request for the whole run. */
  faulty?: { key: string; kind: "status" | "reset" };
}

export interface RunSettings {
  windowMs: number;
  /** Length of the arrival period, in windows. */
  windows: number;
  latencyMs: number;
  maxWaitMs: number;
  /** The naive router's fixed cooldown (60 s per 60 s window, scaled). */
  naiveCooldownMs: number;
  arrivals: "poisson" | "even";
  seed: number;
  /** Hide the simulator's `x-ratelimit-*` headers from the clients (a provider that sends none). */
  hideRateLimitHeaders: boolean;
}

export type RouterName = "llmux" | "naive";

/** What the caller saw for one request. */
export interface CallOutcome {
  /** Offset of the arrival from the start of the run, ms. */
  offsetMs: number;
  ok: boolean;
  /** Time from the call to its answer or error, ms. */
  durationMs: number;
  /** 429 to the caller, or any other error. */
  error: "429" | "other" | null;
  /** The error carried a retry delay (llmux `retryAfterMs`, or a Retry-After header). */
  retryAfterMs: number | null;
  message: string | null;
}

/** One request as the simulator saw it. */
export interface UpstreamRecord {
  key: string;
  status: number;
  at: number;
  /** Tokens the simulator charges: estimated prompt tokens + max_tokens. */
  cost: number;
}

export interface RouterRun {
  router: RouterName;
  startedAt: number;
  /** End of the arrival period (startedAt + windows × windowMs). */
  offeredEndAt: number;
  /** When the last call settled. */
  settledAt: number;
  /** Largest lateness of an arrival timer, ms, and the arrival offset where it happened. */
  maxTimerLagMs: number;
  maxTimerLagAtMs: number;
  calls: CallOutcome[];
  upstream: UpstreamRecord[];
  /** llmux only: engine events of interest. */
  events: EngineEvent[];
}

export const model = "gpt-4.1-mini";
const messages = [
  {
    role: "user" as const,
    content: "Summarise the attached meeting notes in three short bullet points, please.",
  },
];

/** The simulator's prompt-token estimate: ceil(characters / 4) + 4 per message (src/sim/chat-request.ts). */
export function requestCost(maxTokens: number): number {
  const characters = messages.reduce((sum, message) => sum + message.content.length, 0);
  return Math.ceil(characters / 4) + 4 * messages.length + maxTokens;
}

/** Small seeded PRNG (mulberry32), so both routers see the same arrivals and picks are repeatable. */
export function seededRng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Healthy keys' combined quota per window, in the scenario's binding unit. */
export function combinedQuota(scenario: Scenario): number {
  const healthy = scenario.keys.filter((key) => key.id !== scenario.faulty?.key);
  return healthy.reduce((sum, key) => sum + (scenario.bind === "tokens" ? key.tpm : key.rpm), 0);
}

/** Arrival offsets (ms) over the arrival period: evenly spaced, or a Poisson process. */
export function arrivalOffsets(scenario: Scenario, settings: RunSettings): number[] {
  const quotaRequests =
    scenario.bind === "tokens"
      ? combinedQuota(scenario) / requestCost(scenario.maxTokens)
      : combinedQuota(scenario);
  const perMs = ((scenario.loadPercent / 100) * quotaRequests) / settings.windowMs;
  const periodMs = settings.windows * settings.windowMs;
  const offsets: number[] = [];
  if (settings.arrivals === "even") {
    const count = Math.round(perMs * periodMs);
    for (let index = 0; index < count; index += 1) offsets.push((index + 0.5) / perMs);
    return offsets;
  }
  const rng = seededRng(settings.seed);
  let at = -Math.log(1 - rng()) / perMs;
  while (at < periodMs && offsets.length < 100_000) {
    offsets.push(at);
    at += -Math.log(1 - rng()) / perMs;
  }
  return offsets;
}

function retryAfterOf(error: unknown): number | null {
  if (error instanceof RateLimitedError) return error.retryAfterMs;
  if (typeof error !== "object" || error === null) return null;
  const headers = (error as { headers?: unknown }).headers;
  if (headers instanceof Headers) {
    const ms = headers.get("retry-after-ms") ?? null;
    const seconds = headers.get("retry-after") ?? null;
    if (ms !== null) return Number(ms);
    if (seconds !== null) return Number(seconds) * 1000;
  }
  return null;
}

function statusOf(error: unknown): number | null {
  if (typeof error !== "object" || error === null || !("status" in error)) return null;
  const status = (error as { status: unknown }).status;
  return typeof status === "number" ? status : null;
}

type Call = () => Promise<unknown>;

/** `fetch` that drops `x-ratelimit-*` response headers (Retry-After stays). */
const fetchWithoutRateLimitHeaders = async (
  input: string | URL | Request,
  init?: RequestInit,
): Promise<Response> => {
  const response = await fetch(input, init);
  const headers = new Headers(response.headers);
  for (const name of [...headers.keys()]) if (name.startsWith("x-ratelimit-")) headers.delete(name);
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
};

function buildRouter(
  router: RouterName,
  scenario: Scenario,
  settings: RunSettings,
  sim: Simulator,
  events: EngineEvent[],
): Call {
  const timeout = settings.windowMs * 4;
  const client = (key: KeySpec): OpenAI =>
    new OpenAI({
      baseURL: sim.url,
      apiKey: key.id,
      maxRetries: 0,
      timeout,
      ...(settings.hideRateLimitHeaders ? { fetch: fetchWithoutRateLimitHeaders } : {}),
    });
  const weight = (key: KeySpec): number => (scenario.bind === "tokens" ? key.tpm : key.rpm);
  const params: OpenAI.ChatCompletionCreateParamsNonStreaming = {
    model,
    messages,
    max_tokens: scenario.maxTokens,
  };
  if (router === "naive") {
    const keys = scenario.keys.map((key) => ({ id: key.id, client: client(key), weight: weight(key) }));
    const naive = new NaiveRouter(keys, settings.naiveCooldownMs, seededRng(settings.seed + 1));
    return () => naive.create(params);
  }
  const mux = new Multiplexer({
    capacityWindowMs: settings.windowMs,
    maxWaitMs: settings.maxWaitMs,
    rng: seededRng(settings.seed + 2),
  });
  for (const key of scenario.keys)
    mux.addModel(client(key), weight(key), model, { id: key.id, rpm: key.rpm, tpm: key.tpm });
  mux.on((event) => {
    if (event.type === "attempt_end" || event.type === "capacity_full" || event.type === "cooldown")
      events.push(event);
  });
  return () => mux.chat.completions.create(params, { timeout });
}

async function callOnce(call: Call, offsetMs: number): Promise<CallOutcome> {
  const started = performance.now();
  try {
    await call();
    return {
      offsetMs,
      ok: true,
      durationMs: performance.now() - started,
      error: null,
      retryAfterMs: null,
      message: null,
    };
  } catch (error) {
    const durationMs = performance.now() - started;
    const message = error instanceof Error ? error.message : String(error);
    const kind = statusOf(error) === 429 ? "429" : "other";
    return { offsetMs, ok: false, durationMs, error: kind, retryAfterMs: retryAfterOf(error), message };
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

/** Runs one router through a scenario on its own fresh simulator; closes the simulator. */
export async function runRouter(
  router: RouterName,
  scenario: Scenario,
  settings: RunSettings,
  offsets: readonly number[],
): Promise<RouterRun> {
  const keys = Object.fromEntries(scenario.keys.map((key) => [key.id, { rpm: key.rpm, tpm: key.tpm }]));
  const sim = await startSimulator({
    keys,
    windowMs: settings.windowMs,
    latencyMs: settings.latencyMs,
    requireKnownKeys: true,
  });
  try {
    if (scenario.faulty) {
      const fault: SimFault =
        scenario.faulty.kind === "status"
          ? { kind: "status", key: scenario.faulty.key, status: 503 }
          : { kind: "reset", key: scenario.faulty.key };
      sim.addFault(fault);
    }
    const events: EngineEvent[] = [];
    const call = buildRouter(router, scenario, settings, sim, events);
    const startedAt = Date.now();
    const startedHr = performance.now();
    const pending: Array<Promise<CallOutcome>> = [];
    let maxTimerLagMs = 0;
    let maxTimerLagAtMs = 0;
    for (const offset of offsets) {
      const wait = offset - (performance.now() - startedHr);
      if (wait > 1) await sleep(wait);
      const lag = performance.now() - startedHr - offset;
      if (lag > maxTimerLagMs) [maxTimerLagMs, maxTimerLagAtMs] = [lag, offset];
      pending.push(callOnce(call, offset));
    }
    const calls = await Promise.all(pending);
    const settledAt = Date.now();
    const cost = requestCost(scenario.maxTokens);
    const upstream = sim.requests
      .filter((record) => record.path.endsWith("/chat/completions"))
      .map((record) => ({ key: record.key ?? "", status: record.status, at: record.at, cost }));
    return {
      router,
      startedAt,
      offeredEndAt: startedAt + settings.windows * settings.windowMs,
      settledAt,
      maxTimerLagMs,
      maxTimerLagAtMs,
      calls,
      upstream,
      events,
    };
  } finally {
    await sim.close();
  }
}

/** Runs llmux and the naive baseline side by side, each on its own fresh simulator, same arrivals. */
export async function runScenario(
  scenario: Scenario,
  settings: RunSettings,
): Promise<{ offsets: number[]; runs: RouterRun[]; loopDelayP99Ms: number; loopDelayMaxMs: number }> {
  const offsets = arrivalOffsets(scenario, settings);
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  try {
    const runs = await Promise.all([
      runRouter("llmux", scenario, settings, offsets),
      runRouter("naive", scenario, settings, offsets),
    ]);
    return { offsets, runs, loopDelayP99Ms: delay.percentile(99) / 1e6, loopDelayMaxMs: delay.max / 1e6 };
  } finally {
    delay.disable();
  }
}
