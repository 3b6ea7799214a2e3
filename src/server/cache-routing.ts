import {
  affinityKey,
  AffinityTable,
  RedisAffinityStore,
  type AffinityStore,
  type RedisAffinityClient,
} from "../core/affinity/index.js";
import {
  answerFromBody,
  answerFromChunks,
  cacheEnabledFor,
  MemoryCacheStore,
  RedisCacheStore,
  replayFor,
  ResponseCache,
  type CacheEntry,
  type RedisCacheClient,
  type Replay,
} from "../core/cache/index.js";
import { classifyIntent, type IntentResult } from "../core/intent/index.js";
import type { OutputBatch, OutputSink, RelayEnd, StreamOutcome } from "../core/index.js";
import {
  firstMatchingRule,
  RequestFacts,
  type RuleHeaders,
  type SmartRoutingSettings,
} from "../core/routing/index.js";
import type { ChatRequest } from "../types/index.js";

/** The Redis commands the cache and the affinity table use (an ioredis client). */
export type SmartRedisClient = RedisCacheClient & RedisAffinityClient;

/** How the gateway's smart routing is built. */
export interface SmartRoutingOptions {
  settings: SmartRoutingSettings;
  /** Shared state on Redis: the cache and the affinity table live there too (same prefix). */
  redis?: { client: SmartRedisClient; prefix: string } | undefined;
  /** Clock (ms since the epoch). */
  now?: () => number;
  /**
   * Whether a group has anything to choose between (a tier with two deployments or more); affinity is
   * looked up only then. Default: always.
   */
  hasChoice?: (group: string) => boolean;
}

/** What the gateway decided for one chat request before calling the engine. */
export interface ChatPlan {
  /** The model group to call. */
  group: string;
  /** Headers for the answer: `x-llmux-intent*`, `x-llmux-route-rule`, `x-llmux-cache`. */
  headers: Record<string, string>;
  intent: IntentResult | null;
  rule: string | null;
  /** A cache hit, shaped for this request (stream or body), with the entry it came from. */
  hit: { replay: Replay; entry: CacheEntry } | null;
  /** Where to store the answer (a miss, or a `no-cache` refresh), else null. */
  saveKey: string | null;
  /** The conversation's affinity key and the deployment it sticks to (null when unknown). */
  affinity: { key: string; deploymentId: string | null } | null;
}

/**
 * A request that came in another dialect (Anthropic Messages, Responses), as the smart routing sees
 * it besides its chat form: the rules read the chat request (plus the body's `metadata`), the
 * affinity key and the cache key read the body as the caller sent it.
 */
export interface DialectView {
  dialect: "anthropic" | "responses";
  /** The body as the caller sent it. */
  body: Readonly<Record<string, unknown>>;
  /** Request headers that change the answer (`anthropic-beta`): part of the cache key. */
  keyHeaders?: Readonly<Record<string, string>> | undefined;
}

/**
 * What the cache key of a dialect request is computed from: the body as sent (so two requests that
 * differ in anything the chat form drops never share an entry), its dialect and the headers that
 * change the answer. `cacheKey` leaves out `model`, `stream`, `metadata` (Claude Code's session),
 * `user`, `store` and `prompt_cache_key` as for chat.
 */
function dialectKeyRequest(view: DialectView): ChatRequest {
  const keyed: Record<string, unknown> = { ...view.body, "llmux:dialect": view.dialect };
  if (view.keyHeaders && Object.keys(view.keyHeaders).length > 0) keyed["llmux:headers"] = view.keyHeaders;
  return keyed as unknown as ChatRequest;
}

/** The chat request the rules read: a dialect body's `metadata` added when the chat form has none. */
function ruleRequest(request: ChatRequest, view: DialectView | undefined): ChatRequest {
  const metadata = view?.body["metadata"];
  if (view === undefined || typeof metadata !== "object" || metadata === null) return request;
  if ((request as { metadata?: unknown }).metadata !== undefined) return request;
  return { ...request, metadata } as ChatRequest;
}

/** Metrics-friendly totals of the cache. */
export interface CacheTotals {
  hits: number;
  misses: number;
  bypasses: number;
  stores: number;
  bytesStored: number;
  bytesServed: number;
  entries: number | null;
  bytes: number | null;
}

/**
 * The gateway's smart routing in front of the engine: route rules (first match; the classifier runs
 * only when a rule or the intent headers need it), the response cache (exact match, complete answers
 * only, replayed as a body or an SSE stream), and prompt-cache affinity (a conversation goes back to
 * the deployment that served it; the engine falls back when that one is cooling or full). With nothing
 * configured each request costs one affinity-key hash and a table lookup.
 */
export class SmartRouting {
  readonly settings: SmartRoutingSettings;
  readonly cache: ResponseCache | null;
  readonly #affinity: AffinityStore | null;
  readonly #now: () => number;
  readonly #classifyAlways: boolean;
  readonly #groupCache: ReadonlyMap<string, boolean>;
  readonly #hasChoice: (group: string) => boolean;
  #bytesServed = 0;

  constructor(options: SmartRoutingOptions) {
    const { settings, redis } = options;
    this.settings = settings;
    this.#now = options.now ?? Date.now;
    this.#hasChoice = options.hasChoice ?? (() => true);
    this.#classifyAlways = settings.intentHeaders || settings.metadataInBody;
    this.#groupCache = new Map(Object.entries(settings.groupCache));
    const anyCached = settings.cache.enabled || [...this.#groupCache.values()].includes(true);
    this.cache = anyCached
      ? new ResponseCache({
          store: redis
            ? new RedisCacheStore({
                client: redis.client,
                prefix: redis.prefix,
                maxEntryBytes: settings.cache.maxEntryBytes,
              })
            : new MemoryCacheStore({
                maxEntries: settings.cache.maxEntries,
                maxBytes: settings.cache.maxBytes,
                maxEntryBytes: settings.cache.maxEntryBytes,
              }),
          ttlMs: settings.cache.ttlMs,
          maxEntryBytes: settings.cache.maxEntryBytes,
        })
      : null;
    this.#affinity = !settings.affinity.enabled
      ? null
      : redis
        ? new RedisAffinityStore({
            client: redis.client,
            prefix: redis.prefix,
            ttlMs: settings.affinity.ttlMs,
          })
        : new AffinityTable({ ttlMs: settings.affinity.ttlMs });
  }

  /**
   * Whether a request for `model` needs a plan at all: false when there are no rules, no intent
   * headers, the group is not cached and affinity has nothing to choose between — then the route
   * takes the plain path (no promise, no allocation).
   */
  needsPlan(model: string): boolean {
    return (
      this.settings.routes.length > 0 ||
      this.#classifyAlways ||
      this.cachedGroup(model) ||
      (this.#affinity !== null && this.#hasChoice(model))
    );
  }

  /** Whether answers of this group are cached. */
  cachedGroup(group: string): boolean {
    return this.cache !== null && cacheEnabledFor(this.settings.cache, this.#groupCache.get(group));
  }

  /**
   * Decides where a chat request goes and whether the cache answers it. `group` is the request's
   * own model unless a rule matched. `view`: the request came in another dialect (see
   * {@link DialectView}); its hit is replayed by the route in that dialect from `hit.entry`.
   */
  async plan(
    request: ChatRequest,
    headers: RuleHeaders,
    keyName: string | null,
    view?: DialectView,
  ): Promise<ChatPlan> {
    const facts = new RequestFacts(ruleRequest(request, view), headers, keyName, (r) => classifyIntent(r));
    const routes = this.settings.routes;
    const rule = routes.length === 0 ? null : firstMatchingRule(routes, facts);
    const group = rule?.group ?? request.model;
    const answerHeaders: Record<string, string> = {};
    if (rule) answerHeaders["x-llmux-route-rule"] = rule.name;
    const intent = this.#classifyAlways || facts.classified ? facts.intent : null;
    if (intent) {
      answerHeaders["x-llmux-intent"] = intent.label;
      answerHeaders["x-llmux-intent-confidence"] = intent.confidence.toFixed(3);
    }
    const plan: ChatPlan = {
      group,
      headers: answerHeaders,
      intent,
      rule: rule?.name ?? null,
      hit: null,
      saveKey: null,
      affinity: null,
    };
    const now = this.#now();
    if (this.cache !== null && this.cachedGroup(group)) {
      const keyed = view === undefined ? request : dialectKeyRequest(view);
      const lookup = await this.cache.lookup(group, keyed, headers, now);
      answerHeaders["x-llmux-cache"] = lookup.status;
      if (lookup.status === "hit") {
        const replay = replayFor(lookup.entry.answer, request);
        this.#bytesServed += replay.kind === "body" ? replay.body.byteLength : replaySize(replay.events);
        plan.hit = { replay, entry: lookup.entry };
        return plan;
      }
      plan.saveKey = lookup.key;
    }
    if (this.#affinity !== null && this.#hasChoice(group)) {
      const key = affinityKey(group, headers, view?.body ?? (request as unknown as Record<string, unknown>));
      if (key !== null) {
        let deploymentId: string | null;
        try {
          deploymentId = await this.#affinity.get(key.key, now);
        } catch {
          deploymentId = null;
        }
        plan.affinity = { key: key.key, deploymentId };
      }
    }
    return plan;
  }

  /** After a successful answer: remember the conversation's deployment (renewing its TTL). */
  answered(plan: ChatPlan, deploymentId: string): void {
    if (this.#affinity === null || plan.affinity === null) return;
    try {
      const result = this.#affinity.set(
        plan.affinity.key,
        deploymentId,
        this.#now(),
        this.settings.affinity.ttlMs,
      );
      if (result instanceof Promise) result.catch(() => {});
    } catch {
      // A lost affinity write costs one cache miss upstream, never the request.
    }
  }

  /** Stores a complete non-streaming answer (its bytes as sent); anything else is ignored. */
  saveBody(plan: ChatPlan, bytes: Uint8Array | string, deploymentId: string): void {
    if (this.cache === null || plan.saveKey === null) return;
    const answer = answerFromBody(bytes);
    if (answer === null) return;
    void this.cache.save(plan.saveKey, answer, { now: this.#now(), deploymentId });
  }

  /**
   * Records the chunks of a stream as they are relayed and stores them when it ends cleanly and
   * complete (never a cut, a stall or an in-band error). Wraps the outcome's `pipe`.
   */
  tapStream(plan: ChatPlan, outcome: StreamOutcome): void {
    const cache = this.cache;
    const key = plan.saveKey;
    if (cache === null || key === null) return;
    const pipe = outcome.pipe.bind(outcome);
    const now = this.#now;
    outcome.pipe = (sink: OutputSink) =>
      pipe(
        new RecordingSink(sink, (chunks) => {
          const answer = answerFromChunks(chunks);
          if (answer !== null)
            void cache.save(key, answer, { now: now(), deploymentId: outcome.deployment.id });
        }),
      );
  }

  totals(): CacheTotals | null {
    if (this.cache === null) return null;
    const c = this.cache.counters();
    return {
      hits: c.hits,
      misses: c.misses,
      bypasses: c.bypasses,
      stores: c.stores,
      bytesStored: c.bytesStored,
      bytesServed: this.#bytesServed,
      entries: c.entries,
      bytes: c.bytes,
    };
  }

  async close(): Promise<void> {
    await this.cache?.close();
  }
}

function replaySize(events: readonly string[]): number {
  let total = 0;
  for (const event of events) total += Buffer.byteLength(event);
  return total;
}

/** Passes batches through and keeps their chunk texts; on a clean end hands them over. */
class RecordingSink implements OutputSink {
  readonly #chunks: string[] = [];
  constructor(
    private readonly inner: OutputSink,
    private readonly done: (chunks: string[]) => void,
  ) {}

  write(batch: OutputBatch): boolean {
    for (const event of batch.events) this.#chunks.push(event.data);
    return this.inner.write(batch);
  }

  end(end: RelayEnd): void {
    this.inner.end(end);
    if (end.type === "done") this.done(this.#chunks);
  }
}

/**
 * Adds ModelMuxer's `router_metadata` to a JSON answer's bytes (before its last `}`): the intent, its
 * confidence, the rule and the group. The bytes unchanged when they do not end with an object.
 */
export function withRouterMetadata(bytes: Buffer, plan: ChatPlan): Buffer {
  let end = bytes.length - 1;
  while (end >= 0 && (bytes[end] === 0x20 || bytes[end] === 0x0a || bytes[end] === 0x0d)) end -= 1;
  if (end < 0 || bytes[end] !== 0x7d) return bytes;
  const metadata = {
    intent: plan.intent?.label ?? null,
    confidence: plan.intent?.confidence ?? null,
    route_rule: plan.rule,
    group: plan.group,
    cache: plan.headers["x-llmux-cache"] ?? null,
  };
  return Buffer.concat([
    bytes.subarray(0, end),
    Buffer.from(`,"router_metadata":${JSON.stringify(metadata)}}`),
  ]);
}
