/**
 * The 16 fault scenarios of failoverbench, against llmux's own simulator: a misbehaving primary
 * (one key) and one fallback tier (another key and model), the gateway driven over HTTP with the
 * openai SDK (no client retries). Each scenario is graded:
 *
 * - `pass`: the complete, exact answer (from the primary where waiting for it is the right call), or
 *   for the content-policy 400 the clean error at once;
 * - `partial`: a complete answer, but from the weaker tier where the primary could have answered;
 * - `safe`: a clean error (HTTP error or in-band error), never a truncated success;
 * - `fail`: a truncated or garbled answer reported as success, a hang, or unbounded attempts.
 *
 * Shared by `bench/failover.ts` (the table) and `test/failover/*` (each scenario must pass).
 */
import OpenAI from "openai";
import { createTargets, createUpstreamAgent, Engine, groupsFromSpecs } from "../src/core/index.js";
import { createGatewayServer } from "../src/server/index.js";
import { startSimulator, type Simulator, type SimFault } from "../src/sim/index.js";
import type { DeploymentSpec, ProviderInstanceSpec, ProviderType } from "../src/types/index.js";

/** The answer every deployment gives: 60 words (one per streamed piece). */
export const ANSWER = Array.from({ length: 60 }, (_, i) => `word${i + 1}`).join(" ") + ".";
export const PRIMARY_KEY = "key-primary-0001";
export const FALLBACK_KEY = "key-fallback-0002";
export const PRIMARY = "p/primary-model";
export const FALLBACK = "f/fallback-model";
/** The request timeout of failoverbench (llmux: first-token and stream-idle timeouts). */
export const REQUEST_TIMEOUT_MS = 5_000;

export type Grade = "pass" | "partial" | "safe" | "fail";

export interface ScenarioResult {
  grade: Grade;
  note: string;
  ms: number;
  upstreamCalls: number;
}

/** A running simulator and gateway (and an SDK client of it). */
export interface FailoverStack {
  sim: Simulator;
  engine: Engine;
  client: OpenAI;
  baseUrl: string;
  close(): Promise<void>;
}

function provider(id: string, baseUrl: string, apiKey: string, type: ProviderType): ProviderInstanceSpec {
  return { id, type, apiKey, baseUrl, headers: {}, models: [], azure: null };
}

function deployment(providerId: string, model: string, tier: number): DeploymentSpec {
  return {
    id: `${providerId}/${model}`,
    providerId,
    model,
    weight: 1,
    tier,
    rpm: null,
    tpm: null,
    rpd: null,
    contextWindow: null,
    firstTokenTimeoutMs: null,
    streamIdleTimeoutMs: null,
    includeUsage: true,
  };
}

/**
 * Starts the simulator (the primary model has a 200-token window, so a long prompt gets the real
 * `context_length_exceeded`) and the gateway: group `chat` = primary, fallback tier; no windows
 * configured; first-token and idle timeouts = the request timeout. `wire`: the fallback's API.
 */
export async function startFailoverStack(
  options: { fallbackWire?: "openai" | "anthropic" | "gemini" } = {},
): Promise<FailoverStack> {
  const sim = await startSimulator({
    keys: { [PRIMARY_KEY]: {}, [FALLBACK_KEY]: {} },
    requireKnownKeys: true,
    answer: ANSWER,
    chunkDelayMs: 2,
    models: { "primary-model": { contextWindow: 200 }, "fallback-model": {} },
  });
  const wire = options.fallbackWire ?? "openai";
  const fallbackType: ProviderType = wire === "openai" ? "openai-compatible" : wire;
  const fallbackUrl = wire === "openai" ? sim.url : sim.origin;
  const providers = [
    provider("p", sim.url, PRIMARY_KEY, "openai-compatible"),
    provider("f", fallbackUrl, FALLBACK_KEY, fallbackType),
  ];
  const dispatcher = createUpstreamAgent({ keepAliveTimeout: 10_000 });
  const engine = new Engine({
    firstTokenTimeoutMs: REQUEST_TIMEOUT_MS,
    streamIdleTimeoutMs: REQUEST_TIMEOUT_MS,
    timeoutMs: 30_000,
    maxWaitMs: 3_000,
    retrySameDelayMs: 100,
    finishGraceMs: 200,
    circuit: { failureThreshold: 3, openMs: 1_000 },
  });
  engine.setGroups(
    groupsFromSpecs(
      [
        {
          name: "chat",
          strategy: "priority",
          automatic: false,
          deployments: [deployment("p", "primary-model", 0), deployment("f", "fallback-model", 1)],
        },
      ],
      createTargets(providers, dispatcher),
    ),
  );
  const app = createGatewayServer({
    engine,
    bodyLimitBytes: 1024 * 1024,
    auth: { keys: [], publicStatus: false, publicMetrics: false },
    rateLimit: { perKeyRpm: null, perIpRpm: null },
    providers: providers.map((p) => ({ id: p.id, type: p.type, baseUrl: p.baseUrl ?? "", models: p.models })),
    metrics: null,
    logger: { info: () => {}, warn: () => {}, error: () => {} },
    version: "bench",
  });
  await app.listen({ port: 0, host: "127.0.0.1" });
  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  const baseUrl = `http://127.0.0.1:${port}/v1`;
  const client = new OpenAI({ baseURL: baseUrl, apiKey: "unused", maxRetries: 0, timeout: 60_000 });
  return {
    sim,
    engine,
    client,
    baseUrl,
    close: async () => {
      await app.close();
      await dispatcher.close();
      await sim.close();
    },
  };
}

const messages = [{ role: "user" as const, content: "Count to sixty, please." }];

interface Answered {
  text: string;
  model: string | null;
  deployment: string | null;
  usage: OpenAI.CompletionUsage | null;
  ids: number;
  roles: number;
  error: unknown;
  /** The stream was finished by a mid-stream recovery (its last chunk says `llmux.stitched`). */
  stitched?: boolean;
}

async function ask(
  stack: FailoverStack,
  stream: boolean,
  extra: Record<string, unknown> = {},
): Promise<Answered> {
  const body = { model: "chat", messages, ...extra };
  if (!stream) {
    try {
      const { data, response } = await stack.client.chat.completions
        .create({ ...body, stream: false } as OpenAI.ChatCompletionCreateParamsNonStreaming)
        .withResponse();
      return {
        text: data.choices[0]?.message.content ?? "",
        model: data.model,
        deployment: response.headers.get("x-llmux-deployment"),
        usage: data.usage ?? null,
        ids: 1,
        roles: 1,
        error: null,
      };
    } catch (error) {
      return { text: "", model: null, deployment: null, usage: null, ids: 0, roles: 0, error };
    }
  }
  const answered: Answered = {
    text: "",
    model: null,
    deployment: null,
    usage: null,
    ids: 0,
    roles: 0,
    error: null,
  };
  const ids = new Set<string>();
  try {
    const { data, response } = await stack.client.chat.completions
      .create({
        ...body,
        stream: true,
        stream_options: { include_usage: true },
      } as OpenAI.ChatCompletionCreateParamsStreaming)
      .withResponse();
    answered.deployment = response.headers.get("x-llmux-deployment");
    for await (const chunk of data) {
      ids.add(chunk.id);
      answered.model ??= chunk.model;
      if (chunk.usage) answered.usage = chunk.usage;
      if ((chunk as { llmux?: { stitched?: boolean } }).llmux?.stitched === true) answered.stitched = true;
      const delta = chunk.choices[0]?.delta;
      if (delta?.role !== undefined) answered.roles += 1;
      answered.text += delta?.content ?? "";
    }
  } catch (error) {
    answered.error = error;
  }
  answered.ids = ids.size;
  return answered;
}

/** Grades an answer: exact and complete → pass (partial when `want` names the primary and the fallback served). */
function grade(
  answered: Answered,
  want: "primary" | "any",
  extraCheck: string | null = null,
): { grade: Grade; note: string } {
  if (answered.error !== null) {
    const message = answered.error instanceof Error ? answered.error.message : String(answered.error);
    // A truncated text before an in-band error is not a success: the SDK threw.
    return { grade: "safe", note: `error: ${message.slice(0, 60)}` };
  }
  if (answered.text !== ANSWER) return { grade: "fail", note: `wrong text (${answered.text.length} chars)` };
  if (answered.ids > 1 || answered.roles > 1)
    return { grade: "fail", note: `${answered.ids} ids, ${answered.roles} roles` };
  if (extraCheck !== null) return { grade: "fail", note: extraCheck };
  const from = `${answered.deployment ?? "?"}${answered.stitched === true ? ", stitched" : ""}`;
  if (want === "primary" && !from.startsWith("p/")) return { grade: "partial", note: `answered by ${from}` };
  return { grade: "pass", note: `answered by ${from}` };
}

/** One scenario: its faults and how it is asked and graded. */
export interface Scenario {
  name: string;
  /** The fault class (for test grouping). */
  kind: "early" | "slow" | "stream" | "request" | "flap" | "usage";
  stream: boolean;
  run(stack: FailoverStack): Promise<{ grade: Grade; note: string }>;
}

const onPrimary = (fault: SimFault): SimFault => ({ key: PRIMARY_KEY, ...fault });

function simple(
  name: string,
  kind: Scenario["kind"],
  stream: boolean,
  faults: SimFault[],
  want: "primary" | "any",
): Scenario {
  return {
    name,
    kind,
    stream,
    async run(stack) {
      for (const fault of faults) stack.sim.addFault(onPrimary(fault));
      return grade(await ask(stack, stream), want);
    },
  };
}

const usageCheck = (usage: OpenAI.CompletionUsage | null, completion: number): string | null => {
  if (usage === null) return "no usage";
  if (usage.completion_tokens !== completion)
    return `completion_tokens ${usage.completion_tokens}, want ${completion}`;
  if (usage.total_tokens !== usage.prompt_tokens + usage.completion_tokens)
    return "total != prompt + completion";
  return null;
};

/** The 16 scenarios, in failoverbench's order. */
export const scenarios: Scenario[] = [
  simple("429 without Retry-After", "early", false, [{ kind: "status", status: 429 }], "any"),
  simple(
    "429 Retry-After: 2 (only primary)",
    "early",
    false,
    [{ kind: "status", status: 429, headers: { "retry-after": "2" }, times: 1 }],
    "primary",
  ),
  simple("500 once", "early", false, [{ kind: "status", status: 500, times: 1 }], "primary"),
  simple("503 persistent", "early", false, [{ kind: "status", status: 503 }], "any"),
  simple("reset before headers", "early", false, [{ kind: "reset" }], "any"),
  simple("silence (no answer)", "slow", true, [{ kind: "hang" }], "any"),
  simple("slow first token (3.5 s)", "slow", true, [{ kind: "slow", delayMs: 3_500 }], "any"),
  {
    name: "stream cut after 40/60",
    kind: "stream",
    stream: true,
    async run(stack) {
      stack.sim.addFault(onPrimary({ kind: "cut", afterChunks: 40 }));
      const answered = await ask(stack, true);
      return grade(answered, "any", answered.error === null ? usageCheck(answered.usage, 60) : null);
    },
  },
  simple("stream stall after 20", "stream", true, [{ kind: "stall", afterChunks: 20 }], "any"),
  simple("malformed 10th event", "stream", true, [{ kind: "malformed", afterChunks: 9 }], "primary"),
  simple("no [DONE]", "stream", true, [{ kind: "no-done", keepOpen: true }], "primary"),
  {
    name: "context length exceeded",
    kind: "request",
    stream: false,
    async run(stack) {
      const long = [{ role: "user" as const, content: "count ".repeat(600) }];
      return grade(await ask(stack, false, { messages: long }), "any");
    },
  },
  {
    name: "content-policy 400",
    kind: "request",
    stream: false,
    async run(stack) {
      stack.sim.addFault(
        onPrimary({
          kind: "status",
          status: 400,
          body: {
            error: {
              message: "Your request was rejected as a result of our safety system.",
              type: "invalid_request_error",
              param: null,
              code: "content_policy_violation",
            },
          },
        }),
      );
      const started = performance.now();
      const answered = await ask(stack, false);
      const ms = performance.now() - started;
      const status = (answered.error as { status?: number } | null)?.status;
      if (answered.error === null) return { grade: "fail", note: "answered a refused request" };
      if (status !== 400) return { grade: "safe", note: `HTTP ${status ?? "?"}, not the 400` };
      if (stack.sim.requests.length !== 1 || ms > 1000)
        return { grade: "safe", note: `400 after ${stack.sim.requests.length} calls, ${Math.round(ms)} ms` };
      return { grade: "pass", note: "the 400 at once, 1 upstream call" };
    },
  },
  {
    name: "cut + fallback rejects prefill",
    kind: "stream",
    stream: true,
    async run(stack) {
      stack.sim.addFault(onPrimary({ kind: "cut", afterChunks: 40 }));
      stack.sim.addFault({ kind: "prefill-rejected", key: FALLBACK_KEY });
      return grade(await ask(stack, true), "any");
    },
  },
  {
    name: "primary flapping (down 3 s, then up)",
    kind: "flap",
    stream: false,
    async run(stack) {
      stack.sim.addFault(onPrimary({ kind: "status", status: 503, forMs: 3_000 }));
      const results: Answered[] = [];
      const started = performance.now();
      while (performance.now() - started < 4_500) {
        results.push(await ask(stack, false));
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      const bad = results.find((r) => r.error !== null || r.text !== ANSWER);
      if (bad !== undefined) return grade(bad, "any");
      const last = results.at(-1)!;
      if (!(last.deployment ?? "").startsWith("p/"))
        return { grade: "partial", note: `${results.length} answered; the primary never came back` };
      return { grade: "pass", note: `${results.length} answered; the primary serves again` };
    },
  },
  {
    name: "usage through a fallback",
    kind: "usage",
    stream: true,
    async run(stack) {
      stack.sim.addFault(onPrimary({ kind: "status", status: 503 }));
      const answered = await ask(stack, true);
      return grade(answered, "any", answered.error === null ? usageCheck(answered.usage, 60) : null);
    },
  },
];

/** Runs one scenario on a clean stack (faults and state reset), with a hang guard. */
export async function runScenario(stack: FailoverStack, scenario: Scenario): Promise<ScenarioResult> {
  stack.sim.reset();
  stack.engine.resetState();
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<{ grade: Grade; note: string }>((resolve) => {
    timer = setTimeout(() => resolve({ grade: "fail", note: "hung past 40 s" }), 40_000);
  });
  const outcome = await Promise.race([scenario.run(stack), hang]);
  clearTimeout(timer);
  const upstreamCalls = stack.sim.requests.length;
  const result = { ...outcome, ms: Math.round(performance.now() - started), upstreamCalls };
  if (result.grade === "pass" && scenario.kind !== "flap" && upstreamCalls > 6)
    return { ...result, grade: "fail", note: `unbounded: ${upstreamCalls} upstream calls` };
  stack.sim.reset();
  return result;
}
