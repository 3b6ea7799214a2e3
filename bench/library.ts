/**
 * `npm run bench:library`: the cost the Multiplexer adds to a call.
 *
 * 1. A call through the Multiplexer vs the same OpenAI client called directly, against the simulator
 *    running in its own process (non-streaming and streaming; rounds alternate so both see the same
 *    machine noise; the ratio is what counts).
 * 2. The engine's own time per call with an in-process target that answers at once (no network).
 * 3. Selection cost per call with 1, 10 and 100 deployments.
 */
import OpenAI from "openai";
import { performance } from "node:perf_hooks";
import { buildGroup, Engine, Multiplexer, MemoryStateStore } from "../src/index.js";
import { Selector } from "../src/core/index.js";
import type { Deployment } from "../src/core/index.js";
import type { AttemptOptions, ChatStreamResult, StreamEvent, Target } from "../src/types/index.js";
import { mapOpenAIStreamData } from "../src/providers/openai/index.js";
import { spawnSimulator } from "./spawn-sim.js";

const args = new Set(process.argv.slice(2));
const quick = args.has("--quick");
const rounds = quick ? 2 : 5;
const callsPerRound = quick ? 300 : 1500;
const concurrency = 16;

const messages = [{ role: "user" as const, content: "Say hello." }];

async function runConcurrent(total: number, call: () => Promise<void>): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        next += 1;
        await call();
      }
    }),
  );
  return performance.now() - started;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

async function compareOverHttp(url: string): Promise<void> {
  const client = new OpenAI({ baseURL: url, apiKey: "bench-key", maxRetries: 0 });
  const mux = new Multiplexer();
  mux.addModel(client, 1, "gpt-4.1");
  const cases = {
    "non-stream": {
      direct: async () => {
        await client.chat.completions.create({ model: "gpt-4.1", messages });
      },
      mux: async () => {
        await mux.chat.completions.create({ model: "gpt-4.1", messages });
      },
    },
    stream: {
      direct: async () => {
        const stream = await client.chat.completions.create({ model: "gpt-4.1", messages, stream: true });
        for await (const _ of stream);
      },
      mux: async () => {
        const stream = await mux.chat.completions.create({ model: "gpt-4.1", messages, stream: true });
        for await (const _ of stream);
      },
    },
  };
  console.log(
    `\n1) Through the Multiplexer vs the OpenAI client directly (${concurrency} concurrent, ${callsPerRound} calls x ${rounds} rounds, median round)`,
  );
  console.log("   case         direct req/s   llmux req/s   llmux/direct throughput   added ms/call");
  for (const [name, pair] of Object.entries(cases)) {
    await runConcurrent(200, pair.direct);
    await runConcurrent(200, pair.mux);
    const direct: number[] = [];
    const through: number[] = [];
    for (let round = 0; round < rounds; round += 1) {
      direct.push(await runConcurrent(callsPerRound, pair.direct));
      through.push(await runConcurrent(callsPerRound, pair.mux));
    }
    const directRate = (callsPerRound / median(direct)) * 1000;
    const muxRate = (callsPerRound / median(through)) * 1000;
    const addedMs = ((median(through) - median(direct)) / callsPerRound) * concurrency;
    console.log(
      `   ${name.padEnd(12)} ${directRate.toFixed(0).padStart(12)} ${muxRate.toFixed(0).padStart(13)} ${(muxRate / directRate).toFixed(3).padStart(25)} ${addedMs.toFixed(3).padStart(15)}`,
    );
  }
}

/** A target that answers immediately from memory, to measure the engine alone. */
function instantTarget(): Target {
  const body = {
    id: "c",
    object: "chat.completion" as const,
    created: 1,
    model: "m",
    choices: [{ index: 0, finish_reason: "stop", message: { role: "assistant", content: "hi" } }],
    usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
  };
  const chunks = [
    '{"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}',
    ...Array.from(
      { length: 20 },
      () =>
        '{"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"word "},"finish_reason":null}]}',
    ),
    '{"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}',
    "[DONE]",
  ];
  return {
    provider: "memory",
    chat: async () => ({ meta: { status: 200, headers: {} }, body }),
    chatStream: async (): Promise<ChatStreamResult> => ({
      meta: { status: 200, headers: {} },
      // One batch per event: the worst case (every event in its own network read).
      events: (async function* (): AsyncGenerator<StreamEvent[]> {
        for (const data of chunks) yield [mapOpenAIStreamData(data)];
      })(),
    }),
    embeddings: async () => {
      throw new Error("unused");
    },
  };
}

function deploymentsOf(count: number, target: Target): Deployment[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `d${i}`,
    model: "m",
    provider: "memory",
    target,
    weight: 1 + (i % 3),
    tier: 0,
    contextWindow: null,
    includeUsage: true,
    timeouts: {},
  }));
}

/** Attempt options for calling a target directly (what the engine hands it). */
function directOptions(): AttemptOptions {
  const controller = new AbortController();
  return {
    signal: controller.signal,
    onAbort: (listener) =>
      controller.signal.addEventListener("abort", () => listener(controller.signal.reason)),
    get aborted() {
      return controller.signal.aborted;
    },
    get reason() {
      return controller.signal.reason as unknown;
    },
  };
}

async function engineAlone(): Promise<void> {
  const target = instantTarget();
  const engine = new Engine();
  engine.setGroups([buildGroup("g", "weighted", deploymentsOf(10, target))]);
  const request = { model: "m", messages };
  const iterations = quick ? 20_000 : 100_000;
  for (let i = 0; i < 5000; i += 1) await engine.chat("g", request);
  let started = performance.now();
  for (let i = 0; i < iterations; i += 1) await engine.chat("g", request);
  const chatUs = ((performance.now() - started) * 1000) / iterations;
  let baseline = performance.now();
  for (let i = 0; i < iterations; i += 1) await target.chat(request, directOptions());
  const targetUs = ((performance.now() - baseline) * 1000) / iterations;

  const streamIterations = iterations / 5;
  started = performance.now();
  for (let i = 0; i < streamIterations; i += 1) {
    const outcome = await engine.chatStream("g", { ...request, stream: true });
    for await (const _ of outcome.batches);
  }
  const streamUs = ((performance.now() - started) * 1000) / streamIterations;
  baseline = performance.now();
  for (let i = 0; i < streamIterations; i += 1) {
    const result = await target.chatStream(request, directOptions());
    for await (const _ of result.events ?? []);
  }
  const streamTargetUs = ((performance.now() - baseline) * 1000) / streamIterations;
  console.log("\n2) The engine alone, in-process target that answers at once (10 deployments, weighted)");
  console.log(
    `   non-stream: ${chatUs.toFixed(2)} µs/call through the engine vs ${targetUs.toFixed(2)} µs calling the target → engine adds ${(chatUs - targetUs).toFixed(2)} µs`,
  );
  console.log(
    `   stream (22 events): ${streamUs.toFixed(2)} µs/call vs ${streamTargetUs.toFixed(2)} µs reading the target → engine adds ${(streamUs - streamTargetUs).toFixed(2)} µs`,
  );
}

function selectionCost(): void {
  console.log("\n3) Selection cost per call (Selector.choose, memory store)");
  console.log("   deployments   weighted ns   round-robin ns   priority ns");
  const target = instantTarget();
  for (const count of [1, 10, 100]) {
    const row: string[] = [];
    for (const strategy of ["weighted", "round-robin", "priority"] as const) {
      const store = new MemoryStateStore();
      const selector = new Selector(store, Math.random, 30_000);
      const group = buildGroup("g", strategy, deploymentsOf(count, target));
      const eligible = (): boolean => true;
      const iterations = quick ? 50_000 : 300_000;
      for (let i = 0; i < 10_000; i += 1) selector.choose(group, Date.now(), eligible);
      const started = performance.now();
      for (let i = 0; i < iterations; i += 1) selector.choose(group, 1_700_000_000_000, eligible);
      row.push((((performance.now() - started) * 1e6) / iterations).toFixed(0));
    }
    console.log(
      `   ${String(count).padStart(11)} ${row[0]!.padStart(13)} ${row[1]!.padStart(16)} ${row[2]!.padStart(13)}`,
    );
  }
}

const sim = await spawnSimulator();
try {
  console.log(`llmux bench:library — node ${process.version}, simulator in a child process at ${sim.url}`);
  await compareOverHttp(sim.url);
  await engineAlone();
  selectionCost();
} finally {
  await sim.stop();
}
