import type { Histogram, Registry } from "prom-client";

/** What a histogram registers as: the fields of a prom-client metric that a `Registry` reads. */
export interface HistogramCellsOptions {
  name: string;
  help: string;
  labelNames: readonly string[];
  /** Upper bounds of the buckets, ascending (`+Inf` is implied). */
  buckets: readonly number[];
  registers: readonly Registry[];
}

/** One value of a histogram's exposition, shaped as prom-client's own (the registry formats it). */
interface ExportedValue {
  labels: Record<string, string | number>;
  sharedLabels: Record<string, string>;
  value: number;
  metricName: string;
  /** Null on bucket lines, undefined on `_sum` and `_count` (as prom-client has them). */
  exemplar: null | undefined;
}

/**
 * One series of a histogram (one set of label values): counts per bucket, sum and count. An
 * observation is a bucket search and three number writes.
 */
export class HistogramSeries {
  /** Observations per bucket (not cumulative), in the order of the bounds. */
  readonly counts: Float64Array;
  sum = 0;
  count = 0;

  constructor(
    /** The label values by label name, in the histogram's label order. */
    readonly labels: Readonly<Record<string, string>>,
    private readonly bounds: readonly number[],
  ) {
    this.counts = new Float64Array(bounds.length);
  }

  /** Observes `value` (finite; prom-client's message otherwise). */
  observe(value: number): void {
    if (!Number.isFinite(value)) throw new TypeError(`Value is not a valid number: ${value}`);
    const bounds = this.bounds;
    for (let index = 0; index < bounds.length; index += 1)
      if (value <= (bounds[index] as number)) {
        (this.counts[index] as number) += 1;
        break;
      }
    this.sum += value;
    this.count += 1;
  }
}

/**
 * A Prometheus histogram whose series are plain objects: prom-client's `Histogram` converts,
 * validates and hashes the labels on every `observe()`, even through a cached child (a closure and
 * a label object each time); here the caller keeps the `HistogramSeries` of a label set and
 * observes on it. Registered on the registries as a metric of its own; its exposition (order of
 * the series, bucket lines, `_sum`, `_count`) is the one prom-client's histogram writes.
 */
export class HistogramCells {
  readonly name: string;
  readonly help: string;
  readonly type = "histogram";
  readonly aggregator = "sum";
  readonly #labelNames: readonly string[];
  readonly #bounds: readonly number[];
  readonly #series = new Map<string, HistogramSeries>();

  constructor(options: HistogramCellsOptions) {
    this.name = options.name;
    this.help = options.help;
    this.#labelNames = [...options.labelNames];
    this.#bounds = [...options.buckets];
    for (const registry of options.registers) registry.registerMetric(this as unknown as Histogram);
  }

  /** The series of these label values, in label order (made on first use; keep it and observe on it). */
  series(...values: string[]): HistogramSeries {
    const key = values.join("\u0000");
    let series = this.#series.get(key);
    if (series === undefined) {
      if (values.length !== this.#labelNames.length)
        throw new Error(
          `${this.name}: expected ${this.#labelNames.length} label values, got ${values.length}`,
        );
      const labels: Record<string, string> = {};
      this.#labelNames.forEach((name, index) => (labels[name] = values[index] as string));
      this.#series.set(key, (series = new HistogramSeries(labels, this.#bounds)));
    }
    return series;
  }

  /** Forgets every series (as prom-client's `reset()`). */
  reset(): void {
    this.#series.clear();
  }

  /** What the registry formats: cumulative buckets, `+Inf`, sum and count of each observed series. */
  getForPromString(): Promise<{
    name: string;
    help: string;
    type: string;
    values: ExportedValue[];
    aggregator: string;
  }> {
    const values: ExportedValue[] = [];
    const bucket = `${this.name}_bucket`;
    for (const series of this.#series.values()) {
      if (series.count === 0) continue;
      const shared = series.labels as Record<string, string>;
      let cumulative = 0;
      this.#bounds.forEach((bound, index) => {
        cumulative += series.counts[index] as number;
        values.push({
          labels: { le: bound },
          sharedLabels: shared,
          value: cumulative,
          metricName: bucket,
          exemplar: null,
        });
      });
      values.push(
        {
          labels: { le: "+Inf" },
          sharedLabels: shared,
          value: series.count,
          metricName: bucket,
          exemplar: null,
        },
        {
          labels: {},
          sharedLabels: shared,
          value: series.sum,
          metricName: `${this.name}_sum`,
          exemplar: undefined,
        },
        {
          labels: {},
          sharedLabels: shared,
          value: series.count,
          metricName: `${this.name}_count`,
          exemplar: undefined,
        },
      );
    }
    return Promise.resolve({
      name: this.name,
      help: this.help,
      type: this.type,
      values,
      aggregator: this.aggregator,
    });
  }

  /** The metric as prom-client's `get()` gives it (labels and series labels merged). */
  async get(): Promise<{
    name: string;
    help: string;
    type: string;
    values: Array<{ labels: Record<string, string | number>; value: number; metricName: string }>;
    aggregator: string;
  }> {
    const metric = await this.getForPromString();
    return {
      ...metric,
      values: metric.values.map(({ labels, sharedLabels, value, metricName, exemplar }) => ({
        value,
        metricName,
        exemplar,
        labels: { ...labels, ...sharedLabels },
      })),
    };
  }
}
