import { Counter, type Registry } from "prom-client";
import type { GatewaySpendConfig } from "../config/spend-types.js";
import type { CallOptions, Deployment, Engine, Group } from "../core/index.js";
import { estimateEmbeddingTokens } from "../core/estimate.js";
import {
  gateByBudget,
  maxUsdPerRequestOf,
  spendEstimate,
  type BudgetCandidate,
  type Reservation,
  type SpendService,
  type TokenEstimate,
} from "../core/spend/index.js";
import {
  costOf,
  estimateCost,
  nanoToUsd,
  type Price,
  type PriceMatch,
  type Pricing,
} from "../providers/pricing/index.js";
import type { VirtualKeyRecord } from "../state/spend-types.js";
import type {
  ChatRequest,
  EmbeddingsRequest,
  EngineEvent,
  GroupSpec,
  ProviderInstanceSpec,
  Usage,
} from "../types/index.js";

/** The spend of one request, accumulated from its attempts' usage (the one bookkeeping point). */
export class RequestSpend {
  nanoUsd = 0;
  promptTokens = 0;
  completionTokens = 0;
  /** False until an attempt reported usage on a priced deployment. */
  priced = false;
  deploymentId: string | null = null;
  constructor(
    readonly requestId: string,
    public group: string,
    readonly key: VirtualKeyRecord | null,
    public reservation: Reservation | null,
    /** The pre-routing estimate on each candidate deployment (null: no price). */
    readonly estimates: ReadonlyMap<string, number | null>,
    /** The pre-routing token estimate (null: not admitted by a route). */
    readonly tokens: TokenEstimate | null = null,
  ) {}

  get usd(): number {
    return nanoToUsd(this.nanoUsd);
  }
}

export interface SpendControlOptions {
  spend: GatewaySpendConfig;
  providers: readonly ProviderInstanceSpec[];
  groups: readonly GroupSpec[];
  pricing: Pricing;
  engine: Engine;
  /** Keys and the spend ledger (SQLite or Redis); null = prices and cost only. */
  service: SpendService | null;
  /** Where `llmux_cost_usd_total` is registered (the gateway's metrics registry). */
  registry?: Registry | null;
  metricPrefix?: string;
}

/**
 * Spend control in the gateway: each deployment's price (looked up once), the cost of every
 * request from its attempts' real usage (an engine-event subscriber: `attempt_end` carries usage,
 * `request_end` settles — so every route through the engine is counted), totals for /status and
 * /metrics, the pre-routing budget gate (`budgets.max_usd_per_request`, down-routing) and virtual
 * keys (model allow-list, budget, rpm/tpm reservation).
 */
export class SpendControl {
  readonly #options: SpendControlOptions;
  #prices = new Map<string, PriceMatch | null>();
  readonly #pending = new Map<string, RequestSpend>();
  readonly #keysByRequest = new Map<string, VirtualKeyRecord>();
  readonly #totals = {
    nano: 0,
    group: new Map<string, number>(),
    deployment: new Map<string, number>(),
    key: new Map<string, number>(),
  };
  readonly #counter: Counter<"group" | "deployment" | "key"> | null;
  readonly #unsubscribe: () => void;

  constructor(options: SpendControlOptions) {
    this.#options = options;
    this.#counter = options.registry
      ? new Counter({
          name: `${options.metricPrefix ?? "llmux_"}cost_usd_total`,
          help: "Cost of answered requests in USD, from the upstream's usage and the deployment's price",
          labelNames: ["group", "deployment", "key"],
          registers: [options.registry],
        })
      : null;
    this.setPlan(options.providers, options.groups);
    this.#unsubscribe = options.engine.events.on((event) => this.#onEvent(event));
  }

  /** Prices every deployment of the plan (again after a reload). */
  setPlan(providers: readonly ProviderInstanceSpec[], groups: readonly GroupSpec[]): void {
    const types = new Map(providers.map((provider) => [provider.id, provider.type]));
    const prices = new Map<string, PriceMatch | null>();
    for (const group of groups)
      for (const spec of group.deployments) {
        const type = types.get(spec.providerId);
        if (type === undefined || prices.has(spec.id)) continue;
        prices.set(
          spec.id,
          this.#options.pricing.priceOf(type, spec.model, {
            deployment: spec.priceOverride?.deployment ?? null,
            provider: spec.priceOverride?.provider ?? null,
          }),
        );
      }
    this.#prices = prices;
  }

  /** The price of a deployment, or null when it has none. */
  priceOf(deploymentId: string): Price | null {
    return this.#prices.get(deploymentId)?.price ?? null;
  }

  /** Prices a stream's usage chunk on `deploymentId` (null: no price, nothing added). */
  usageCost(deploymentId: string): ((usage: Usage) => number | null) | null {
    const price = this.priceOf(deploymentId);
    return price === null ? null : (usage) => costOf(price, usage).usd;
  }

  /** True when virtual keys may be presented (a spend store is open). */
  get acceptsVirtualKeys(): boolean {
    return this.#options.service !== null;
  }

  /** Checks a presented virtual key (401 when unknown, revoked, expired) and binds it to the request. */
  async identify(requestId: string, presented: string): Promise<void> {
    const service = this.#options.service;
    if (service === null) return;
    const key = await service.identify(presented);
    this.#keysByRequest.set(requestId, key);
  }

  /** Forgets a request's key when its route never admitted it (a 404, /v1/models). */
  forget(requestId: string): void {
    this.#keysByRequest.delete(requestId);
  }

  /**
   * True when `admit` would let the request through as it is, holding nothing (no virtual key on
   * it, and the group has no price, no per-request limit and there is no ledger): a route may skip
   * `admit` and its promise, and route to `model` with no spend record.
   */
  admitsAsIs(requestId: string, model: string): boolean {
    if (this.#keysByRequest.has(requestId)) return false;
    const group = this.#options.engine.group(model);
    return group === undefined || this.#costsNothingToAdmit(group);
  }

  /**
   * Before the engine: the key may use the group, the request's estimate fits the per-request
   * limit on some deployment (others are filtered out through `call.allow`; none: the
   * `down_route_to` groups; still none: 402), and the key's budget and rate hold the estimate.
   * Returns the group to route to (a down-route may change it) and the request's spend record.
   */
  async admit(
    requestId: string,
    model: string,
    body: ChatRequest | EmbeddingsRequest,
    kind: "chat" | "embeddings",
    call: CallOptions,
  ): Promise<{ group: string; spend: RequestSpend | null }> {
    const key = this.#keysByRequest.get(requestId) ?? null;
    this.#keysByRequest.delete(requestId);
    const { engine, service, spend } = this.#options;
    let group = engine.group(model);
    if (group === undefined) return { group: model, spend: null };
    if (key === null && this.#costsNothingToAdmit(group)) return { group: group.name, spend: null };
    const grant = key !== null && service !== null ? service.grant(key, group.name) : null;
    const tokens = kind === "chat" ? spendEstimate(body as ChatRequest) : embeddingEstimate(body);
    let gate = this.#gate(group, tokens);
    if (!gate.ok) {
      for (const name of spend.downRouteTo[group.name] ?? []) {
        const lower = engine.group(name);
        if (lower === undefined) continue;
        const next = this.#gate(lower, tokens);
        if (next.ok) {
          group = lower;
          gate = next;
          break;
        }
      }
      if (!gate.ok) throw gate.error;
    }
    const estimates = new Map(group.deployments.map((d) => [d.id, this.#estimateOf(d, tokens)]));
    if (gate.excluded.length > 0) {
      const allowed = new Set(gate.candidates.map((candidate) => candidate.deployment.id));
      call.allow = (deployment) => allowed.has(deployment.id);
      if (call.prefer !== undefined && !allowed.has(call.prefer)) delete call.prefer;
    }
    let reservation: Reservation | null = null;
    if (grant !== null && service !== null) {
      const usd = Math.max(0, ...gate.candidates.map((candidate) => candidate.estimateUsd ?? 0));
      reservation = await service.reserve(grant, { usd, tokens: tokens.prompt + tokens.output });
    }
    const record = new RequestSpend(requestId, group.name, key, reservation, estimates, tokens);
    this.#pending.set(requestId, record);
    return { group: group.name, spend: record };
  }

  /**
   * True when admitting a request to `group` could change nothing: no spend ledger, no per-request
   * limit on the group and no price on any of its deployments. The gate would keep every deployment,
   * every estimate would be null and the request's record would never be priced or settled, so
   * `admit` skips the token estimate and the record (the events still count the usage).
   */
  #costsNothingToAdmit(group: Group): boolean {
    if (this.#options.service !== null) return false;
    if (maxUsdPerRequestOf(this.#options.spend, group.name) !== null) return false;
    for (const deployment of group.deployments) if (this.priceOf(deployment.id) !== null) return false;
    return true;
  }

  /** Releases what `admit` held when the engine refused the request before any attempt. */
  abandon(record: RequestSpend | null): void {
    if (record === null || this.#pending.get(record.requestId) !== record) return;
    this.#pending.delete(record.requestId);
    if (record.reservation) this.#options.service?.release(record.reservation, record.group);
  }

  /** `x-llmux-cost-usd` (non-streaming answers), `x-route-decision`, `x-route-estimate-usd`. */
  headersFor(record: RequestSpend | null, deployment: Deployment, withCost: boolean): Record<string, string> {
    const headers: Record<string, string> = {
      "x-route-decision": `${deployment.provider}:${deployment.model}`,
    };
    const estimate = record?.estimates.get(deployment.id) ?? this.#estimateOf(deployment, null);
    if (estimate !== null && estimate !== undefined) headers["x-route-estimate-usd"] = estimate.toFixed(6);
    if (withCost && record !== null && record.priced) headers["x-llmux-cost-usd"] = record.usd.toFixed(6);
    return headers;
  }

  #estimateOf(deployment: Deployment, tokens: TokenEstimate | null): number | null {
    const price = this.priceOf(deployment.id);
    if (price === null || tokens === null) return null;
    return estimateCost(price, tokens).usd;
  }

  #gate(group: Group, tokens: TokenEstimate) {
    const limit = maxUsdPerRequestOf(this.#options.spend, group.name);
    const candidates = group.deployments.map((d) => candidateOf(d, this.priceOf(d.id), tokens));
    return gateByBudget(candidates, limit);
  }

  #onEvent(event: EngineEvent): void {
    if (event.type === "attempt_end") {
      // Without a ledger, an unpriced attempt of a request with no record changes nothing.
      if (
        this.#options.service === null &&
        this.priceOf(event.deploymentId) === null &&
        !this.#pending.has(event.requestId)
      )
        return;
      let usage = event.usage;
      if (usage === null) {
        // A stream that ended without usage after the caller got bytes (abandoned, cut): the
        // upstream charged at least the prompt, priced from the pre-routing estimate.
        const prompt =
          event.stream && event.afterCommit ? this.#pending.get(event.requestId)?.tokens?.prompt : 0;
        if (!prompt) return;
        usage = { prompt_tokens: prompt, completion_tokens: 0, total_tokens: prompt };
      }
      const price = this.priceOf(event.deploymentId);
      let record = this.#pending.get(event.requestId);
      if (record === undefined) {
        // A request the server did not admit (the library, another route): counted all the same.
        record = new RequestSpend(event.requestId, event.group, null, null, new Map());
        this.#pending.set(event.requestId, record);
      }
      record.deploymentId = event.deploymentId;
      record.promptTokens += usage.prompt_tokens ?? 0;
      record.completionTokens += usage.completion_tokens ?? 0;
      if (price === null) return;
      const cost = costOf(price, usage);
      record.priced = true;
      record.nanoUsd += cost.nanoUsd;
      this.#count(record, event.deploymentId, cost.nanoUsd);
      return;
    }
    if (event.type === "request_end") {
      const record = this.#pending.get(event.requestId);
      if (record === undefined) return;
      this.#pending.delete(event.requestId);
      this.#settle(record, event.deploymentId);
    }
  }

  #count(record: RequestSpend, deploymentId: string, nano: number): void {
    const totals = this.#totals;
    const keyName = record.key?.name ?? "";
    totals.nano += nano;
    totals.group.set(record.group, (totals.group.get(record.group) ?? 0) + nano);
    totals.deployment.set(deploymentId, (totals.deployment.get(deploymentId) ?? 0) + nano);
    if (keyName !== "") totals.key.set(keyName, (totals.key.get(keyName) ?? 0) + nano);
    this.#counter?.inc({ group: record.group, deployment: deploymentId, key: keyName }, nanoToUsd(nano));
  }

  #settle(record: RequestSpend, deploymentId: string | null): void {
    const service = this.#options.service;
    if (service === null) return;
    const cost = {
      usd: record.usd,
      group: record.group,
      deploymentId: deploymentId ?? record.deploymentId ?? "",
      promptTokens: record.promptTokens,
      completionTokens: record.completionTokens,
    };
    if (record.reservation !== null) service.settle(record.reservation, cost);
    else if (record.nanoUsd > 0 || record.promptTokens > 0) service.record(cost);
  }

  /** What /status shows: totals since start (USD) and each deployment's price or why it has none. */
  status(): Record<string, unknown> {
    const usd = (map: Map<string, number>) =>
      Object.fromEntries([...map].map(([name, nano]) => [name, nanoToUsd(nano)]));
    const prices: Record<string, unknown> = {};
    for (const [id, match] of this.#prices)
      prices[id] =
        match === null
          ? null
          : {
              input_per_1m_usd: match.price.input,
              output_per_1m_usd: match.price.output,
              cached_input_per_1m_usd: match.price.cachedInput,
              source: match.source.kind,
            };
    return {
      total_usd: nanoToUsd(this.#totals.nano),
      by_group: usd(this.#totals.group),
      by_deployment: usd(this.#totals.deployment),
      by_key: usd(this.#totals.key),
      max_usd_per_request: this.#options.spend.maxUsdPerRequest,
      prices,
    };
  }

  /** Spend per key (by name) and per group since this process started, for the dashboard. */
  dashboardSpend(): {
    keys: Array<{ name: string; usd: number }>;
    groups: Array<{ name: string; usd: number }>;
  } {
    const rows = (map: Map<string, number>) =>
      [...map].map(([name, nano]) => ({ name, usd: nanoToUsd(nano) })).sort((a, b) => b.usd - a.usd);
    return { keys: rows(this.#totals.key), groups: rows(this.#totals.group) };
  }

  /**
   * A deployment's blended price for `least-cost` selection: USD per 1M input plus 1M output
   * tokens; null when it has no price (the tier order decides then).
   */
  blendedPrice(deploymentId: string): number | null {
    const price = this.priceOf(deploymentId);
    return price === null ? null : price.input + price.output;
  }

  close(): void {
    this.#unsubscribe();
  }
}

function embeddingEstimate(body: ChatRequest | EmbeddingsRequest): TokenEstimate {
  return { prompt: estimateEmbeddingTokens(body as EmbeddingsRequest).prompt, output: 0 };
}

function candidateOf(
  deployment: Deployment,
  price: Price | null,
  tokens: TokenEstimate,
): BudgetCandidate<Deployment> {
  return { deployment, provider: deployment.provider, model: deployment.model, price, tokens };
}
