import { collectDefaultMetrics, Counter, Gauge, Registry } from "prom-client";
import type {
  AttemptEndEvent,
  DeploymentState,
  EngineEvent,
  RateLimitReading,
  RequestEndEvent,
} from "../types/index.js";
import { registerCapacityMetrics, type LearnedCapacitySample } from "./capacity-metrics.js";
import { HistogramCells, type HistogramSeries } from "./histogram-cells.js";
import {
  deploymentStates,
  metricCatalogue as catalogue,
  type DeploymentStateName,
  type MetricSpec,
  type RateLimitDimensionName,
} from "./metric-names.js";

/** A deployment as the state gauge shows it, read at scrape time. */
export interface DeploymentStateSample {
  deploymentId: string;
  provider: string;
  model: string;
  /** Its state now (core's `deploymentState`). */
  state: DeploymentState;
}

export interface GatewayMetricsOptions {
  /** Prefix of every llmux metric name; default `llmux_`. */
  prefix?: string;
  /** The deployments and their health, read on each scrape for the state gauge. */
  deploymentStates?: () => Iterable<DeploymentStateSample>;
  /** The deployments' learned capacity, read on each scrape for the `learned_*` gauges. */
  learnedCapacity?: () => Iterable<LearnedCapacitySample>;
  /** Register Node.js process metrics (`process_*`, `nodejs_*`, unprefixed) on this registry; default true. */
  processMetrics?: boolean;
}

const httpMethods = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);
/** Error codes come from code, but are capped anyway so a surprise cannot explode the series. */
const maxErrorCodes = 64;
const errorCodeShape = /^[A-Za-z0-9_.:-]{1,64}$/;

/** One series of a counter or gauge: a plain number on the hot path, copied into prom-client on scrape. */
interface Cell {
  readonly labels: readonly string[];
  value: number;
}

/**
 * The series of one counter or gauge. prom-client hashes and validates the labels on every `inc()`,
 * even through a cached child (about half a microsecond each); a cell update is a number write.
 */
class Cells {
  readonly #cells: Cell[] = [];

  /** A new series (call once per label set and keep the cell). */
  add(...labels: string[]): Cell {
    const cell = { labels, value: 0 };
    this.#cells.push(cell);
    return cell;
  }

  /** Writes every series into prom-client (runs at scrape time). */
  flushCounter(counter: Counter<string>): void {
    counter.reset();
    for (const cell of this.#cells) counter.labels(...cell.labels).inc(cell.value);
  }

  flushGauge(gauge: Gauge<string>): void {
    gauge.reset();
    for (const cell of this.#cells) gauge.labels(...cell.labels).set(cell.value);
  }
}

/** Cached series of one deployment's attempts. */
interface AttemptSeries {
  provider: string;
  model: string;
  /** By failure kind; `none` for successes. */
  attempts: Map<string, Cell>;
  /** [non-stream, stream]. */
  latency: [HistogramSeries | undefined, HistogramSeries | undefined];
  firstToken: HistogramSeries | undefined;
  prompt: Cell | undefined;
  completion: Cell | undefined;
  remaining: Map<RateLimitDimensionName, Cell>;
  limit: Map<RateLimitDimensionName, Cell>;
}

/** Cached series of the health events of one deployment. */
interface HealthSeries {
  cooldowns: Map<string, Cell>;
  circuit: Map<string, Cell>;
  disabled: Cell | undefined;
  malformed: Cell | undefined;
}

interface GroupSeries {
  success: Cell | undefined;
  /** Failed requests by error code. */
  failures: Map<string, Cell>;
  failovers: Cell | undefined;
}

interface HttpSeries {
  duration: HistogramSeries;
  byStatus: Map<number, Cell>;
}

/** Seconds from milliseconds; odd values (NaN, negative) count as 0 rather than throwing. */
function seconds(ms: number): number {
  return ms > 0 && Number.isFinite(ms) ? ms / 1000 : 0;
}

function positive(value: unknown): number {
  return typeof value === "number" && value > 0 && Number.isFinite(value) ? value : 0;
}

function metricBase(spec: MetricSpec, prefix: string, registry: Registry) {
  return { name: prefix + spec.name, help: spec.help, labelNames: [...spec.labels], registers: [registry] };
}

/** The metrics of the catalogue, registered on `registry`. */
function createMetrics(registry: Registry, prefix: string) {
  const counter = (spec: MetricSpec): Cells => {
    const cells = new Cells();
    const metric: Counter<string> = new Counter({
      ...metricBase(spec, prefix, registry),
      collect: () => cells.flushCounter(metric),
    });
    return cells;
  };
  const gauge = (spec: MetricSpec): Cells => {
    const cells = new Cells();
    const metric: Gauge<string> = new Gauge({
      ...metricBase(spec, prefix, registry),
      collect: () => cells.flushGauge(metric),
    });
    return cells;
  };
  const histogram = (spec: MetricSpec) =>
    new HistogramCells({ ...metricBase(spec, prefix, registry), buckets: [...(spec.buckets ?? [])] });
  return {
    requests: counter(catalogue.requests),
    attempts: counter(catalogue.attempts),
    failovers: counter(catalogue.failovers),
    recoveries: counter(catalogue.streamRecoveries),
    hedges: counter(catalogue.hedges),
    cooldowns: counter(catalogue.cooldowns),
    circuit: counter(catalogue.circuitTransitions),
    disabled: counter(catalogue.disabled),
    malformed: counter(catalogue.malformedChunks),
    latency: histogram(catalogue.upstreamLatency),
    firstToken: histogram(catalogue.timeToFirstToken),
    tokens: counter(catalogue.tokens),
    remaining: gauge(catalogue.rateLimitRemaining),
    limit: gauge(catalogue.rateLimitLimit),
    overhead: histogram(catalogue.gatewayOverhead),
    httpRequests: counter(catalogue.httpRequests),
    httpDuration: histogram(catalogue.httpDuration),
  };
}

/** Sets the state gauge from the deployments' health (runs at scrape time). */
function collectStates(gauge: Gauge<string>, states: () => Iterable<DeploymentStateSample>): void {
  gauge.reset();
  for (const sample of states()) {
    const current: DeploymentStateName = sample.state.status;
    for (const state of deploymentStates) {
      gauge.labels(sample.deploymentId, sample.provider, sample.model, state).set(state === current ? 1 : 0);
    }
  }
}

/** The cell of `cells` for the label values (`first`, `second`), cached in `cache` under `key`. */
function pairCell(cache: Map<string, Cell>, key: string, cells: Cells, first: string, second: string): Cell {
  let cell = cache.get(key);
  if (!cell) cache.set(key, (cell = cells.add(first, second)));
  return cell;
}

/**
 * Prometheus metrics of the engine and the gateway, on a registry of their own (never the global one),
 * so several instances can coexist. Subscribe `listener` to the engine's events. Counters and gauges
 * are plain number writes on the hot path and reach prom-client at scrape time; histograms are
 * `HistogramCells` observed through cached series.
 */
export class GatewayMetrics {
  readonly registry = new Registry();
  readonly contentType: string;

  readonly #m: ReturnType<typeof createMetrics>;
  readonly #prefix: string;
  #redis: Gauge<string> | undefined;

  readonly #attemptSeries = new Map<string, AttemptSeries>();
  readonly #healthSeries = new Map<string, HealthSeries>();
  readonly #groupSeries = new Map<string, GroupSeries>();
  readonly #httpSeries = new Map<string, Map<string, HttpSeries>>();
  readonly #overheadSeries: [HistogramSeries | undefined, HistogramSeries | undefined] = [
    undefined,
    undefined,
  ];
  readonly #errorCodes = new Set<string>();
  /** Recovery and hedge series by `group deployment result` (made on the first such event). */
  readonly #rareSeries = new Map<string, Cell>();

  constructor(options: GatewayMetricsOptions = {}) {
    const prefix = (this.#prefix = options.prefix ?? "llmux_");
    this.#m = createMetrics(this.registry, prefix);
    const states = options.deploymentStates;
    if (states) {
      const stateGauge: Gauge<string> = new Gauge({
        ...metricBase(catalogue.deploymentState, prefix, this.registry),
        collect: () => collectStates(stateGauge, states),
      });
    }
    if (options.learnedCapacity) registerCapacityMetrics(this.registry, prefix, options.learnedCapacity);
    if (options.processMetrics !== false) collectDefaultMetrics({ register: this.registry });
    this.contentType = this.registry.contentType;
  }

  /** The engine event listener to subscribe. */
  readonly listener = (event: EngineEvent): void => {
    switch (event.type) {
      case "attempt_start":
        if (event.attempt > 1) {
          const group = this.#group(event.group);
          (group.failovers ??= this.#m.failovers.add(event.group)).value += 1;
        }
        return;
      case "attempt_end":
        this.#attemptEnd(event);
        return;
      case "request_end":
        this.#requestEnd(event);
        return;
      case "cooldown": {
        const cooldowns = this.#health(event.deploymentId).cooldowns;
        pairCell(cooldowns, event.reason, this.#m.cooldowns, event.deploymentId, event.reason).value += 1;
        return;
      }
      case "circuit": {
        const circuit = this.#health(event.deploymentId).circuit;
        pairCell(circuit, event.to, this.#m.circuit, event.deploymentId, event.to).value += 1;
        return;
      }
      case "disabled": {
        const series = this.#health(event.deploymentId);
        (series.disabled ??= this.#m.disabled.add(event.deploymentId)).value += 1;
        return;
      }
      case "stream_recovery":
        this.#rare(this.#m.recoveries, "r", event.group, event.deploymentId, event.result).value += 1;
        return;
      case "hedge":
        this.#rare(this.#m.hedges, "h", event.group, event.deploymentId, event.result).value += 1;
        return;
      case "malformed_chunk": {
        const series = this.#health(event.deploymentId);
        (series.malformed ??= this.#m.malformed.add(event.deploymentId)).value += 1;
        return;
      }
    }
  };

  #attemptEnd(event: AttemptEndEvent): void {
    // A request llmux could not send never reached the deployment: not one of its attempts.
    if (event.failure === "local") return;
    const series = this.#attempt(event);
    const { provider, model } = series;
    const id = event.deploymentId;
    const failure = event.outcome === "success" ? "none" : (event.failure ?? "unknown");
    let attempts = series.attempts.get(failure);
    if (!attempts) {
      attempts = this.#m.attempts.add(id, provider, model, event.outcome, failure);
      series.attempts.set(failure, attempts);
    }
    attempts.value += 1;
    if (event.outcome === "success") {
      const index = event.stream ? 1 : 0;
      const child = (series.latency[index] ??= this.#m.latency.series(
        id,
        provider,
        model,
        String(event.stream),
      ));
      child.observe(seconds(event.durationMs));
    }
    if (event.stream && event.firstTokenMs !== null) {
      const child = (series.firstToken ??= this.#m.firstToken.series(id, provider, model));
      child.observe(seconds(event.firstTokenMs));
    }
    if (event.usage) {
      const prompt = positive(event.usage.prompt_tokens);
      const completion = positive(event.usage.completion_tokens);
      if (prompt > 0) (series.prompt ??= this.#m.tokens.add(id, provider, model, "prompt")).value += prompt;
      if (completion > 0)
        (series.completion ??= this.#m.tokens.add(id, provider, model, "completion")).value += completion;
    }
    const limits = event.rateLimits;
    if (limits) {
      this.#quota(id, series, "requests", limits.requests);
      this.#quota(id, series, "tokens", limits.tokens);
      this.#quota(id, series, "input_tokens", limits.inputTokens);
      this.#quota(id, series, "output_tokens", limits.outputTokens);
    }
  }

  #quota(
    id: string,
    series: AttemptSeries,
    dimension: RateLimitDimensionName,
    value: RateLimitReading | null,
  ): void {
    if (value === null) return;
    const { provider, model } = series;
    if (value.remaining !== null) {
      let cell = series.remaining.get(dimension);
      if (!cell)
        series.remaining.set(dimension, (cell = this.#m.remaining.add(id, provider, model, dimension)));
      cell.value = value.remaining;
    }
    if (value.limit !== null) {
      let cell = series.limit.get(dimension);
      if (!cell) series.limit.set(dimension, (cell = this.#m.limit.add(id, provider, model, dimension)));
      cell.value = value.limit;
    }
  }

  #requestEnd(event: RequestEndEvent): void {
    const group = this.#group(event.group);
    if (event.outcome === "success") {
      (group.success ??= this.#m.requests.add(event.group, "success", "none")).value += 1;
      return;
    }
    const code = this.#errorCode(event.errorCode);
    let cell = group.failures.get(code);
    if (!cell) group.failures.set(code, (cell = this.#m.requests.add(event.group, "failure", code)));
    cell.value += 1;
  }

  /** Keeps the error_code label bounded: odd-looking or too many distinct codes become `other`. */
  #errorCode(code: string | null): string {
    if (code === null) return "unknown";
    if (this.#errorCodes.has(code)) return code;
    if (!errorCodeShape.test(code) || this.#errorCodes.size >= maxErrorCodes) return "other";
    this.#errorCodes.add(code);
    return code;
  }

  #attempt(event: AttemptEndEvent): AttemptSeries {
    let series = this.#attemptSeries.get(event.deploymentId);
    if (!series || series.provider !== event.provider || series.model !== event.model) {
      series = {
        provider: event.provider,
        model: event.model,
        attempts: new Map(),
        latency: [undefined, undefined],
        firstToken: undefined,
        prompt: undefined,
        completion: undefined,
        remaining: new Map(),
        limit: new Map(),
      };
      this.#attemptSeries.set(event.deploymentId, series);
    }
    return series;
  }

  #rare(cells: Cells, kind: string, group: string, deployment: string, result: string): Cell {
    const key = `${kind} ${group} ${deployment} ${result}`;
    let cell = this.#rareSeries.get(key);
    if (!cell) this.#rareSeries.set(key, (cell = cells.add(group, deployment, result)));
    return cell;
  }

  #health(deploymentId: string): HealthSeries {
    let series = this.#healthSeries.get(deploymentId);
    if (!series) {
      series = { cooldowns: new Map(), circuit: new Map(), disabled: undefined, malformed: undefined };
      this.#healthSeries.set(deploymentId, series);
    }
    return series;
  }

  #group(name: string): GroupSeries {
    let series = this.#groupSeries.get(name);
    if (!series) {
      series = { success: undefined, failures: new Map(), failovers: undefined };
      this.#groupSeries.set(name, series);
    }
    return series;
  }

  /** Counts one gateway HTTP request (`route` is the route pattern, never the raw URL). */
  observeHttp(route: string, method: string, status: number, seconds: number): void {
    const name = httpMethods.has(method) ? method : "OTHER";
    let byMethod = this.#httpSeries.get(route);
    if (!byMethod) this.#httpSeries.set(route, (byMethod = new Map()));
    let series = byMethod.get(name);
    if (!series) {
      series = { duration: this.#m.httpDuration.series(route, name), byStatus: new Map() };
      byMethod.set(name, series);
    }
    let cell = series.byStatus.get(status);
    if (!cell) series.byStatus.set(status, (cell = this.#m.httpRequests.add(route, name, String(status))));
    cell.value += 1;
    series.duration.observe(seconds > 0 && Number.isFinite(seconds) ? seconds : 0);
  }

  /** Records the gateway's own time for one request (its duration minus the upstream time). */
  observeOverhead(seconds: number, stream: boolean): void {
    const index = stream ? 1 : 0;
    const child = (this.#overheadSeries[index] ??= this.#m.overhead.series(String(stream)));
    child.observe(seconds > 0 && Number.isFinite(seconds) ? seconds : 0);
  }

  /** Whether the shared Redis store is connected (the gauge appears on the first call). */
  setRedisConnected(up: boolean): void {
    this.#redis ??= new Gauge(metricBase(catalogue.redisConnected, this.#prefix, this.registry));
    this.#redis.set(up ? 1 : 0);
  }

  /** The Prometheus text exposition of every metric. */
  render(): Promise<string> {
    return this.registry.metrics();
  }
}
