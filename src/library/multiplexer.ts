import type OpenAI from "openai";
import {
  Engine,
  buildGroup,
  type Deployment,
  type EngineListener,
  type EngineOptions,
  type Strategy,
} from "../core/index.js";
import { InvalidRequestError, NoDeploymentsError } from "../errors/index.js";
import { StatsCollector } from "../observability/index.js";
import type { ChatRequest, EmbeddingsRequest, Target } from "../types/index.js";
import { ChatStream } from "./chat-stream.js";
import { OpenAISdkTarget } from "./openai-sdk-target.js";
import { deploymentStats, type DeploymentStats } from "./stats-view.js";

/** Settings of a multiplexer: the engine's (with the selection strategy), plus hedging of its chat entries. */
export interface MultiplexerOptions extends EngineOptions {
  /** Hedge a late first token by starting the next entry in parallel (default true). */
  hedge?: boolean;
  /** Hedge after this long instead of p95 × 2 of the entry's observed time to first token. */
  hedgeAfterMs?: number;
}

/** Options of one model entry (a deployment). */
export interface ModelOptions {
  /** Stable id for stats and events; default the model name, then `name#2`, `name#3`… */
  id?: string;
  /** Tier: 0 primary (addModel), 1 fallback (addFallbackModel), higher numbers later. */
  tier?: number;
  /** Context window in tokens: lets a too-long prompt move to a larger model. */
  contextWindow?: number;
  /** Ask the upstream for streamed usage (default true; turn off for servers that reject `stream_options`). */
  includeUsage?: boolean;
  firstTokenTimeoutMs?: number;
  streamIdleTimeoutMs?: number;
  /** Requests per minute (per `capacityWindowMs`) this entry may take; llmux never sends more. */
  rpm?: number;
  /** Tokens (prompt + completion) per minute this entry may take. */
  tpm?: number;
  /** Requests per day this entry may take. */
  rpd?: number;
  /** What the entry serves: chat completions (default) or embeddings. */
  kind?: "chat" | "embeddings";
  /**
   * Entries (keys) that draw on one limit upstream (an organisation's): the same name makes their
   * entries of one model share one learned capacity.
   */
  quotaGroup?: string;
  /**
   * Mid-stream recovery onto this entry: continue with an assistant prefill (`true`), regenerate the
   * whole answer and splice (`false`), or prefill until a 400 says it is refused (`"auto"`, default).
   */
  prefill?: boolean | "auto";
}

/** Per-request options, as the OpenAI SDK takes them. */
export interface RequestOptions {
  signal?: AbortSignal | undefined | null;
  headers?: Record<string, string> | undefined;
  /** Overall deadline of the request across every attempt, in ms. */
  timeout?: number | undefined;
  /** Ignored: the multiplexer owns retries. */
  maxRetries?: number | undefined;
}

interface Entry {
  deployment: Deployment;
  kind: "chat" | "embeddings";
}

const chatGroup = "chat";

/**
 * Combines the quotas of many OpenAI-compatible clients behind one `chat.completions.create`.
 * Drop-in for `@upstash/model-multiplexer`, but many entries may share a model name (many keys for
 * one model), and every kind of failure fails over.
 */
export class Multiplexer {
  readonly #engine: Engine;
  readonly #stats = new StatsCollector();
  readonly #strategy: Strategy;
  readonly #hedging: { hedge?: boolean | undefined; hedgeAfterMs?: number | undefined };
  #entries: Entry[] = [];

  constructor(options: MultiplexerOptions = {}) {
    this.#engine = new Engine(options);
    this.#strategy = this.#engine.options.strategy;
    this.#hedging = { hedge: options.hedge, hedgeAfterMs: options.hedgeAfterMs };
    this.#engine.events.on(this.#stats.listener);
  }

  /** Adds a primary model entry; returns its deployment id. */
  addModel(client: OpenAI | Target, weight: number, modelName: string, options: ModelOptions = {}): string {
    return this.#add(client, weight, modelName, { tier: 0, ...options });
  }

  /** Adds a fallback entry, used only when no primary can take the request; returns its id. */
  addFallbackModel(
    client: OpenAI | Target,
    weight: number,
    modelName: string,
    options: ModelOptions = {},
  ): string {
    return this.#add(client, weight, modelName, { tier: 1, ...options });
  }

  #add(client: OpenAI | Target, weight: number, modelName: string, options: ModelOptions): string {
    if (!Number.isFinite(weight) || weight <= 0)
      throw new TypeError(`weight must be a positive number, got ${weight}`);
    if (typeof modelName !== "string" || modelName.trim() === "")
      throw new TypeError("modelName must be a non-empty string");
    const target = isTarget(client) ? client : new OpenAISdkTarget(client);
    const id = options.id ?? this.#freeId(modelName);
    if (this.#entries.some((entry) => entry.deployment.id === id))
      throw new TypeError(`a model entry with id '${id}' exists already`);
    const timeouts: Deployment["timeouts"] = {
      ...(options.firstTokenTimeoutMs === undefined
        ? {}
        : { firstTokenTimeoutMs: options.firstTokenTimeoutMs }),
      ...(options.streamIdleTimeoutMs === undefined
        ? {}
        : { streamIdleTimeoutMs: options.streamIdleTimeoutMs }),
    };
    const deployment: Deployment = Object.freeze({
      id,
      model: modelName,
      provider: target.provider,
      target,
      weight,
      tier: options.tier ?? 0,
      contextWindow: options.contextWindow ?? null,
      includeUsage: options.includeUsage ?? true,
      timeouts,
      limits: { rpm: options.rpm ?? null, tpm: options.tpm ?? null, rpd: options.rpd ?? null },
      quotaGroup: options.quotaGroup ?? null,
      prefill: options.prefill ?? "auto",
    });
    this.#entries = [...this.#entries, { deployment, kind: options.kind ?? "chat" }];
    this.#rebuild();
    return id;
  }

  #freeId(modelName: string): string {
    const taken = new Set(this.#entries.map((entry) => entry.deployment.id));
    if (!taken.has(modelName)) return modelName;
    let n = 2;
    while (taken.has(`${modelName}#${n}`)) n += 1;
    return `${modelName}#${n}`;
  }

  #rebuild(): void {
    const chat = this.#entries.filter((e) => e.kind === "chat").map((e) => e.deployment);
    const embeddingModels = new Set(
      this.#entries.filter((e) => e.kind === "embeddings").map((e) => e.deployment.model),
    );
    const groups = [buildGroup(chatGroup, this.#strategy, chat, [], this.#hedging)];
    for (const model of embeddingModels) {
      const members = this.#entries
        .filter((e) => e.kind === "embeddings" && e.deployment.model === model)
        .map((e) => e.deployment);
      groups.push(buildGroup(`embeddings:${model}`, this.#strategy, members));
    }
    this.#engine.setGroups(groups);
  }

  /** The OpenAI-shaped chat API. */
  readonly chat = {
    completions: {
      create: ((params: ChatRequest, requestOptions?: RequestOptions) =>
        this.#create(params, requestOptions)) as CreateChatCompletion,
    },
  };

  /** The OpenAI-shaped embeddings API; entries are added with `{ kind: "embeddings" }`. */
  readonly embeddings = {
    create: async (
      params: OpenAI.EmbeddingCreateParams,
      requestOptions?: RequestOptions,
    ): Promise<OpenAI.CreateEmbeddingResponse> => {
      const models = [
        ...new Set(this.#entries.filter((e) => e.kind === "embeddings").map((e) => e.deployment.model)),
      ];
      if (models.length === 0)
        throw new NoDeploymentsError(
          "No embeddings model was added (use addModel(client, weight, model, { kind: 'embeddings' })).",
        );
      const model = models.includes(params.model)
        ? params.model
        : models.length === 1
          ? models[0]
          : undefined;
      if (model === undefined) {
        throw new InvalidRequestError(
          `Unknown embeddings model '${params.model}'. Added: ${models.join(", ")}.`,
          { param: "model" },
        );
      }
      const outcome = await this.#engine.embeddings(
        `embeddings:${model}`,
        params as unknown as EmbeddingsRequest,
        callOptions(requestOptions),
      );
      return outcome.body as unknown as OpenAI.CreateEmbeddingResponse;
    },
  };

  async #create(
    params: ChatRequest,
    requestOptions?: RequestOptions,
  ): Promise<OpenAI.ChatCompletion | ChatStream> {
    if (!this.#entries.some((e) => e.kind === "chat"))
      throw new NoDeploymentsError("No models were added to the multiplexer (use addModel).");
    if (!Array.isArray(params.messages))
      throw new InvalidRequestError("'messages' must be an array.", { param: "messages" });
    const call = callOptions(requestOptions);
    if (params.stream === true)
      return new ChatStream(await this.#engine.chatStream(chatGroup, params, call), call.signal);
    const outcome = await this.#engine.chat(chatGroup, params, call);
    return outcome.body as unknown as OpenAI.ChatCompletion;
  }

  /**
   * Usage per entry, keyed by deployment id (the model name when it is unique, as upstash keys it):
   * upstash's `success` / `rateLimited` / `failed`, plus state, latency, tokens and the last error.
   */
  getStats(): Record<string, DeploymentStats> {
    const now = this.#engine.clock.now();
    const out: Record<string, DeploymentStats> = {};
    for (const { deployment } of this.#entries) {
      out[deployment.id] = deploymentStats(
        deployment,
        this.#stats.counters(deployment.id),
        this.#engine.store.health(deployment.id),
        now,
      );
    }
    return out;
  }

  /** Subscribes to engine events (attempts, cooldowns, circuit changes…); returns the unsubscribe function. */
  on(listener: EngineListener): () => void {
    return this.#engine.events.on(listener);
  }

  /** Removes every model entry and clears all state and stats. */
  reset(): void {
    this.#entries = [];
    this.#rebuild();
    this.#engine.resetState();
    this.#stats.clear();
  }

  /** Releases the connections of targets it made or was given (native targets), and resets it. */
  async close(): Promise<void> {
    const targets = new Set(this.#entries.map((entry) => entry.deployment.target));
    this.reset();
    await Promise.all([...targets].map((target) => target.close?.()));
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

/** `create`'s overloads: a `ChatCompletion`, or a `ChatStream` when `stream: true`. */
export interface CreateChatCompletion {
  (
    params: OpenAI.ChatCompletionCreateParamsNonStreaming,
    requestOptions?: RequestOptions,
  ): Promise<OpenAI.ChatCompletion>;
  (params: OpenAI.ChatCompletionCreateParamsStreaming, requestOptions?: RequestOptions): Promise<ChatStream>;
  (
    params: OpenAI.ChatCompletionCreateParams,
    requestOptions?: RequestOptions,
  ): Promise<OpenAI.ChatCompletion | ChatStream>;
}

function isTarget(value: unknown): value is Target {
  return typeof value === "object" && value !== null && "chatStream" in value && "provider" in value;
}

function callOptions(requestOptions: RequestOptions | undefined): {
  signal?: AbortSignal;
  headers?: Record<string, string>;
  timeoutMs?: number;
} {
  const call: { signal?: AbortSignal; headers?: Record<string, string>; timeoutMs?: number } = {};
  if (requestOptions?.signal) call.signal = requestOptions.signal;
  if (requestOptions?.headers) call.headers = requestOptions.headers;
  if (requestOptions?.timeout !== undefined) call.timeoutMs = requestOptions.timeout;
  return call;
}
