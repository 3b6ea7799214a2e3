import { performance } from "node:perf_hooks";
import { ModelNotFoundError } from "../errors/index.js";
import { MemoryStateStore } from "../state/index.js";
import type {
  AttemptRecord,
  ChatCompletionBody,
  ChatRequest,
  Clock,
  EmbeddingsBody,
  EmbeddingsRequest,
  HeaderMap,
  Rng,
  StateStore,
  StreamChunkEvent,
  Usage,
} from "../types/index.js";
import { systemClock } from "../util/index.js";
import {
  applySuccess,
  runAttempts,
  type AttemptHandle,
  type AttemptWin,
  type LoopDeps,
} from "./attempt-loop.js";
import { TokenCalibration } from "./calibration.js";
import { settleCapacity } from "./capacity.js";
import { estimateEmbeddingTokens, estimateRequestTokens } from "./estimate.js";
import { EngineEvents } from "./events.js";
import { resolveEngineOptions, type EngineOptions, type ResolvedEngineOptions } from "./options.js";
import type { Deployment, Group } from "./plan.js";
import { openRequest, type CallOptions, type RequestContext } from "./request-context.js";
import { QuotaGate } from "./quota-gate.js";
import { Selector } from "./selector.js";
import { WaitQueue } from "./wait-queue.js";
import { malformedReporter, readToCommit, type CommittedStream } from "./stream-commit.js";
import { relayStream } from "./stream-relay.js";
import { attemptEndEvent } from "./attempt-events.js";

/** What a request produced besides the answer. */
export interface Outcome {
  requestId: string;
  deployment: Deployment;
  attempts: readonly AttemptRecord[];
  /** Upstream response headers of the attempt that answered. */
  headers: HeaderMap;
  /** Time spent in upstream calls (all attempts). */
  upstreamMs: number;
}

/** A non-streaming chat answer. */
export interface ChatOutcome extends Outcome {
  body: ChatCompletionBody;
  raw: Uint8Array | undefined;
}

/** A streaming chat answer, past its commit point. */
export interface StreamOutcome extends Outcome {
  /** The chunks in batches (one per upstream read); iterate once. Breaking out aborts the upstream. */
  batches: AsyncGenerator<StreamChunkEvent[]>;
  /** The same chunks one by one (reads `batches`: use one or the other). */
  readonly chunks: AsyncGenerator<StreamChunkEvent>;
  /** Aborts the upstream request. */
  abort(): void;
  /** `performance.now()` when the answering attempt started and when its first content arrived. */
  attemptStartedHr: number;
  committedHr: number;
}

/** An embeddings answer. */
export interface EmbeddingsOutcome extends Outcome {
  body: EmbeddingsBody;
}

/**
 * The routing engine: holds the plan (model groups of tiered deployments), their state, and runs
 * requests through the attempt loop. Publishes typed events; owns no sockets and no global state.
 */
export class Engine {
  readonly events: EngineEvents;
  readonly store: StateStore;
  readonly options: ResolvedEngineOptions;
  readonly clock: Clock;
  #groups = new Map<string, Group>();
  readonly #deps: LoopDeps;
  readonly #selector: Selector;
  readonly #gate: QuotaGate;
  readonly #calibration = new TokenCalibration();

  constructor(options: EngineOptions = {}) {
    this.options = resolveEngineOptions(options);
    this.clock = options.clock ?? systemClock;
    const rng: Rng = options.rng ?? Math.random;
    this.store = options.store ?? new MemoryStateStore();
    this.events = new EngineEvents();
    this.#gate = new QuotaGate(this.store, this.options.capacityWindowMs, this.options.quotaStaleMs);
    const gate = this.#gate;
    this.#selector = new Selector(
      this.store,
      rng,
      this.options.circuit.probeLeaseMs,
      (deployment, now) => deployment.weight * gate.headroom(deployment, now),
    );
    const queues = new Map<string, WaitQueue>();
    this.#deps = {
      store: this.store,
      selector: this.#selector,
      events: this.events,
      clock: this.clock,
      rng,
      gate,
      calibration: this.#calibration,
      queueFor: (group) => {
        let queue = queues.get(group);
        if (!queue) {
          queue = new WaitQueue();
          queues.set(group, queue);
        }
        return queue;
      },
      options: this.options,
    };
  }

  /** Replaces the plan. */
  setGroups(groups: Iterable<Group>): void {
    const next = new Map<string, Group>();
    for (const group of groups) next.set(group.name, group);
    this.#groups = next;
  }

  /** The group with this name, if any. */
  group(name: string): Group | undefined {
    return this.#groups.get(name);
  }

  /** Every group, in plan order. */
  groups(): Group[] {
    return [...this.#groups.values()];
  }

  #lookup(name: string): Group {
    const group = this.#groups.get(name);
    if (!group) throw new ModelNotFoundError(name, [...this.#groups.keys()]);
    return group;
  }

  /** A non-streaming chat completion through the group `groupName`. */
  async chat(groupName: string, request: ChatRequest, call: CallOptions = {}): Promise<ChatOutcome> {
    const context = openRequest(this.#lookup(groupName), false, call, this.clock, this.options.timeoutMs);
    context.estimateTokens = () => estimateRequestTokens(request, this.options.defaultOutputTokens);
    const win = await this.#run(context, (deployment, attempt) =>
      deployment.target
        .chat(
          request.stream
            ? { ...request, model: deployment.model, stream: false }
            : { ...request, model: deployment.model },
          { signal: attempt.signal, headers: call.headers },
        )
        .then((result) => {
          attempt.headers = result.meta.headers;
          return result;
        }),
    );
    win.release();
    this.#finish(
      context,
      win,
      win.value.usage !== undefined ? win.value.usage : (win.value.body.usage ?? null),
    );
    const result = win.value;
    return {
      ...this.#outcome(context, win),
      raw: result.raw,
      // Parsed only if someone reads it: the gateway forwards `raw`.
      get body() {
        return result.body;
      },
    };
  }

  /** A streaming chat completion; resolves once the first content arrived (the commit point). */
  async chatStream(groupName: string, request: ChatRequest, call: CallOptions = {}): Promise<StreamOutcome> {
    const context = openRequest(this.#lookup(groupName), true, call, this.clock, this.options.timeoutMs);
    context.estimateTokens = () => estimateRequestTokens(request, this.options.defaultOutputTokens);
    const callerWantsUsage = request.stream_options?.include_usage === true;
    const now = (): number => this.clock.now();
    const win: AttemptWin<CommittedStream> = await this.#run(context, async (deployment, attempt) => {
      const upstream: ChatRequest = { ...request, model: deployment.model, stream: true };
      if (deployment.includeUsage)
        upstream.stream_options = { ...request.stream_options, include_usage: true };
      const result = await deployment.target.chatStream(upstream, {
        signal: attempt.signal,
        headers: call.headers,
      });
      attempt.headers = result.meta.headers;
      return readToCommit(
        result.events,
        malformedReporter(this.events, deployment.id, context.requestId, now),
      );
    });
    context.responseHeaders = win.attempt.headers ?? {};
    const batches = relayStream(this.#deps, context, win, { dropUsageChunk: !callerWantsUsage });
    return {
      ...this.#outcome(context, win),
      batches,
      get chunks() {
        return flatten(batches);
      },
      abort: () => win.attempt.controller.abort(),
      attemptStartedHr: win.attempt.startedHr,
      committedHr: win.value.firstTokenHr,
    };
  }

  /** Embeddings through the group `groupName`. */
  async embeddings(
    groupName: string,
    request: EmbeddingsRequest,
    call: CallOptions = {},
  ): Promise<EmbeddingsOutcome> {
    const context = openRequest(this.#lookup(groupName), false, call, this.clock, this.options.timeoutMs);
    context.estimateTokens = () => estimateEmbeddingTokens(request);
    const win = await this.#run(context, (deployment, attempt) =>
      deployment.target
        .embeddings(
          { ...request, model: deployment.model },
          { signal: attempt.signal, headers: call.headers },
        )
        .then((result) => {
          attempt.headers = result.meta.headers;
          return result;
        }),
    );
    win.release();
    const usage = win.value.body.usage;
    this.#finish(
      context,
      win,
      usage
        ? { prompt_tokens: usage.prompt_tokens, completion_tokens: 0, total_tokens: usage.total_tokens }
        : null,
    );
    return { ...this.#outcome(context, win), body: win.value.body };
  }

  async #run<T>(
    context: RequestContext,
    run: (deployment: Deployment, attempt: AttemptHandle) => Promise<T>,
  ): Promise<AttemptWin<T>> {
    try {
      return await runAttempts(this.#deps, context, run);
    } catch (error) {
      const now = this.clock.now();
      this.events.emit({
        type: "request_end",
        requestId: context.requestId,
        group: context.group.name,
        stream: context.stream,
        outcome: "failure",
        errorCode:
          typeof error === "object" && error !== null && "code" in error ? String(error.code) : "internal",
        deploymentId: null,
        attempts: context.attempts.length,
        durationMs: performance.now() - context.startedHr,
        upstreamMs: context.upstreamMs,
        at: now,
      });
      throw error;
    }
  }

  /** Bookkeeping of a successful non-streaming attempt. */
  #finish(context: RequestContext, win: AttemptWin<unknown>, usage: Usage | null): void {
    const now = this.clock.now();
    const { deployment, attempt } = win;
    applySuccess(this.#deps, deployment);
    settleCapacity(this.#deps, win, usage, attempt.headers, now, context.tokens);
    const durationMs = performance.now() - attempt.startedHr;
    context.upstreamMs += durationMs;
    context.attempts.push({
      deploymentId: deployment.id,
      model: deployment.model,
      kind: "success",
      status: 200,
      message: "ok",
      durationMs,
    });
    this.events.emit(
      attemptEndEvent(context, deployment, {
        attempt: attempt.number,
        outcome: "success",
        failure: null,
        status: 200,
        message: null,
        durationMs,
        firstTokenMs: durationMs,
        usage,
        afterCommit: false,
        headers: attempt.headers,
        at: now,
      }),
    );
    this.events.emit({
      type: "request_end",
      requestId: context.requestId,
      group: context.group.name,
      stream: false,
      outcome: "success",
      errorCode: null,
      deploymentId: deployment.id,
      attempts: context.attempts.length,
      durationMs: performance.now() - context.startedHr,
      upstreamMs: context.upstreamMs,
      at: now,
    });
  }

  #outcome(context: RequestContext, win: AttemptWin<unknown>): Outcome {
    return {
      requestId: context.requestId,
      deployment: win.deployment,
      attempts: context.attempts,
      headers: context.responseHeaders,
      upstreamMs: context.upstreamMs,
    };
  }

  /** Clears all deployment state and strategy cursors. */
  resetState(): void {
    this.store.clear();
    this.#gate.clear();
    this.#calibration.clear();
  }
}

async function* flatten<T>(batches: AsyncIterable<readonly T[]>): AsyncGenerator<T> {
  for await (const batch of batches) yield* batch;
}
