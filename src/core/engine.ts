import { performance } from "node:perf_hooks";
import { ModelNotFoundError } from "../errors/index.js";
import { MemoryStateStore } from "../state/index.js";
import type {
  ChatRequest,
  ChatResult,
  ChatStreamResult,
  Clock,
  EmbeddingsRequest,
  EmbeddingsResult,
  Rng,
  StateStore,
} from "../types/index.js";
import { systemClock } from "../util/index.js";
import { TokenCalibration } from "./calibration.js";
import { Cancellation } from "./cancellation.js";
import { CapacityGate } from "./capacity-gate.js";
import { Deadlines } from "./deadlines.js";
import { estimateEmbeddingTokens, estimateRequestTokens } from "./estimate.js";
import { EngineEvents } from "./events.js";
import { resolveEngineOptions, type EngineOptions, type ResolvedEngineOptions } from "./options.js";
import type { Group } from "./plan.js";
import {
  ChatAnswer,
  EmbeddingsAnswer,
  StreamAnswer,
  type ChatOutcome,
  type EmbeddingsOutcome,
  type StreamOutcome,
} from "./outcomes.js";
import { continuationRequest, isPrefillRejection, type SentSoFar } from "./relay/recovery.js";
import { StreamRelay, type Continuation } from "./relay/stream-relay.js";
import { LatencyPriors } from "./latency/index.js";
import { Selector } from "./selector.js";
import { PrefillRejected, runAttempts, type AttemptRunner, type AttemptWin } from "./session/attempt-loop.js";
import type { EngineParts } from "./session/engine-parts.js";
import type { Attempt } from "./session/attempt.js";
import { FirstTokenTimes } from "./session/hedge.js";
import { RequestSession, type CallOptions } from "./session/request-session.js";
import { WaitQueue } from "./wait-queue.js";

function errorCode(error: unknown): string {
  return typeof error === "object" && error !== null && "code" in error ? String(error.code) : "internal";
}

/**
 * The routing engine: holds the plan (model groups of tiered deployments) and their state, and runs
 * each request as a `RequestSession` through the attempt loop. Publishes typed events; owns no
 * sockets and no global state.
 */
export class Engine {
  readonly events: EngineEvents;
  readonly store: StateStore;
  readonly options: ResolvedEngineOptions;
  readonly clock: Clock;
  /** Configured and learned capacity of every deployment. */
  readonly capacity: CapacityGate;
  /** Groups by name and by alias. */
  #groups = new Map<string, Group>();
  /** The groups in plan order (each once). */
  #list: Group[] = [];
  readonly #parts: EngineParts;
  readonly #calibration = new TokenCalibration();
  /** Latency and time to first token of every deployment over the last 30 min (`least-latency`). */
  readonly latency = new LatencyPriors();

  constructor(options: EngineOptions = {}) {
    this.options = resolveEngineOptions(options);
    this.clock = options.clock ?? systemClock;
    const rng: Rng = options.rng ?? Math.random;
    this.store = options.store ?? new MemoryStateStore();
    this.events = new EngineEvents();
    const capacity = (this.capacity = new CapacityGate(
      this.store,
      this.options.capacityWindowMs,
      this.options.learned,
    ));
    const selector = new Selector(
      this.store,
      rng,
      this.options.circuit.probeLeaseMs,
      (deployment, now) => deployment.weight * capacity.headroom(deployment, now),
      { latency: this.latency, priceOf: options.priceOf },
    );
    this.events.on((event) => {
      if (event.type === "attempt_end" && event.outcome === "success")
        this.latency.observe(
          event.deploymentId,
          { latencyMs: event.durationMs, ttftMs: event.stream ? event.firstTokenMs : null },
          event.at,
        );
    });
    const queues = new Map<string, WaitQueue>();
    this.#parts = {
      store: this.store,
      selector,
      events: this.events,
      clock: this.clock,
      rng,
      capacity,
      calibration: this.#calibration,
      deadlines: new Deadlines(this.clock),
      queueFor: (group) => {
        let queue = queues.get(group);
        if (!queue) queues.set(group, (queue = new WaitQueue()));
        return queue;
      },
      options: this.options,
      noPrefill: new Set(),
      windows: new Map(),
      firstTokens: new FirstTokenTimes(),
    };
  }

  /** Replaces the plan. A group's aliases find it too (a group's own name wins over an alias). */
  setGroups(groups: Iterable<Group>): void {
    const list = [...groups];
    const next = new Map<string, Group>();
    for (const group of list) for (const alias of group.aliases ?? []) next.set(alias, group);
    for (const group of list) next.set(group.name, group);
    this.#groups = next;
    this.#list = list;
  }

  /** The group with this name or alias, if any. */
  group(name: string): Group | undefined {
    return this.#groups.get(name);
  }

  /** Every group, in plan order. */
  groups(): Group[] {
    return [...this.#list];
  }

  #session(
    groupName: string,
    stream: boolean,
    call: CallOptions,
    estimate: RequestSession["estimate"],
  ): RequestSession {
    const group = this.#groups.get(groupName);
    if (!group) throw new ModelNotFoundError(groupName, [...this.#groups.keys()]);
    const withCancel =
      call.cancellation === undefined && call.signal !== undefined
        ? { ...call, cancellation: Cancellation.fromSignal(call.signal) }
        : call;
    return new RequestSession(this.#parts, group, stream, withCancel, estimate);
  }

  async #run<T>(session: RequestSession, run: AttemptRunner<T>): Promise<AttemptWin<T>> {
    try {
      return await runAttempts(session, run);
    } catch (error) {
      session.endRequest(null, errorCode(error));
      throw error;
    }
  }

  /** A non-streaming chat completion through the group `groupName`. */
  async chat(groupName: string, request: ChatRequest, call: CallOptions = {}): Promise<ChatOutcome> {
    const text = call.source?.text;
    const session = this.#session(groupName, false, call, () =>
      estimateRequestTokens(request, this.options.defaultOutputTokens, text),
    );
    const win = await this.#run(session, async (attempt) => {
      const upstream: ChatRequest = request.stream
        ? { ...request, model: attempt.deployment.model, stream: false }
        : { ...request, model: attempt.deployment.model };
      const result: ChatResult = await attempt.deployment.target.chat(upstream, attempt);
      attempt.responseHeaders = result.meta.headers;
      attempt.firstTokenHr = performance.now();
      return result;
    });
    const { value: result, attempt } = win;
    const usage = result.usage !== undefined ? result.usage : (result.body.usage ?? null);
    session.endAttempt(attempt, { failure: null, usage, afterCommit: false });
    session.endRequest(attempt.deployment.id, null);
    return new ChatAnswer(session, attempt, result);
  }

  /** A streaming chat completion; resolves once the first content arrived (the commit point). */
  async chatStream(groupName: string, request: ChatRequest, call: CallOptions = {}): Promise<StreamOutcome> {
    const text = call.source?.text;
    const session = this.#session(groupName, true, call, () =>
      estimateRequestTokens(request, this.options.defaultOutputTokens, text),
    );
    const dropUsage = request.stream_options?.include_usage !== true;
    // Recovery continues an OpenAI-shaped stream; a caller's own dialect passed through is not one.
    const dialect = call.source?.dialect;
    const recoverable =
      (dialect === undefined || dialect === "openai") && this.options.maxStreamRecoveries > 0;
    const recover = recoverable
      ? (sent: SentSoFar, failed: string) => this.#continue(session, request, dropUsage, sent, failed)
      : null;
    const win = await this.#run(session, async (attempt) => {
      const result = await this.#openStream(attempt, request);
      const relay = new StreamRelay(session, attempt, dropUsage);
      relay.recover = recover;
      await relay.commit(result);
      return relay;
    });
    const { value: relay, attempt } = win;
    session.settleTimer(attempt);
    session.observeAnswer(attempt, null);
    return new StreamAnswer(session, attempt, relay);
  }

  async #openStream(attempt: Attempt, request: ChatRequest): Promise<ChatStreamResult> {
    const { deployment } = attempt;
    const upstream: ChatRequest = { ...request, model: deployment.model, stream: true };
    if (deployment.includeUsage && request.stream_options?.include_usage !== true)
      upstream.stream_options = { ...request.stream_options, include_usage: true };
    const result = await deployment.target.chatStream(upstream, attempt);
    attempt.responseHeaders = result.meta.headers;
    return result;
  }

  /**
   * Mid-stream recovery: the attempt loop again, for a continuation of the text already sent — with
   * it as an assistant prefill, or (a deployment known to reject prefill) for the whole answer, which
   * the relay splices. The broken deployment is tried last.
   */
  async #continue(
    session: RequestSession,
    request: ChatRequest,
    dropUsage: boolean,
    sent: SentSoFar,
    failed: string,
  ): Promise<Continuation | null> {
    const { noPrefill } = this.#parts;
    try {
      const win = await runAttempts(
        session,
        async (attempt) => {
          const { deployment } = attempt;
          const prefill =
            deployment.prefill === true || (deployment.prefill !== false && !noPrefill.has(deployment.id));
          let result: ChatStreamResult;
          try {
            result = await this.#openStream(attempt, continuationRequest(request, sent.text, prefill));
          } catch (error) {
            if (!prefill || deployment.prefill === true || !isPrefillRejection(error)) throw error;
            noPrefill.add(deployment.id);
            throw new PrefillRejected(error);
          }
          const relay = new StreamRelay(session, attempt, dropUsage);
          await relay.commit(result);
          return { relay, prefill };
        },
        (exclusions) => {
          exclusions.excluded.add(failed);
          if (this.options.retrySameLimit > 0) exclusions.pendingRetry.add(failed);
        },
      );
      session.settleTimer(win.attempt);
      session.observeAnswer(win.attempt, null);
      return win.value;
    } catch {
      return null;
    }
  }

  /** Embeddings through the group `groupName`. */
  async embeddings(
    groupName: string,
    request: EmbeddingsRequest,
    call: CallOptions = {},
  ): Promise<EmbeddingsOutcome> {
    const session = this.#session(groupName, false, call, () => estimateEmbeddingTokens(request));
    const win = await this.#run(session, async (attempt) => {
      const result: EmbeddingsResult = await attempt.deployment.target.embeddings(
        { ...request, model: attempt.deployment.model },
        attempt,
      );
      attempt.responseHeaders = result.meta.headers;
      attempt.firstTokenHr = performance.now();
      return result;
    });
    const { value: result, attempt } = win;
    const usage = result.body.usage;
    session.endAttempt(attempt, {
      failure: null,
      usage: usage
        ? { prompt_tokens: usage.prompt_tokens, completion_tokens: 0, total_tokens: usage.total_tokens }
        : null,
      afterCommit: false,
    });
    session.endRequest(attempt.deployment.id, null);
    return new EmbeddingsAnswer(session, attempt, result.body);
  }

  /** Clears all deployment state and strategy cursors. */
  resetState(): void {
    this.store.clear();
    this.capacity.clear();
    this.#calibration.clear();
    this.#parts.noPrefill.clear();
    this.#parts.windows.clear();
    this.#parts.firstTokens.clear();
  }
}
