import { Gauge, type Registry } from "prom-client";
import { metricCatalogue as catalogue, type MetricSpec } from "./metric-names.js";

/** One dimension of a learned bucket, as the gauges show it (null: not learned yet). */
export interface LearnedDimensionSample {
  capacity: number | null;
  refillPerMinute: number | null;
  remaining: number | null;
  inFlight: number;
}

/** A deployment's learned capacity, read at scrape time. */
export interface LearnedCapacitySample {
  deploymentId: string;
  provider: string;
  model: string;
  requests: LearnedDimensionSample;
  tokens: LearnedDimensionSample;
  answers: number;
  rejected: number;
}

function gauge(
  spec: MetricSpec,
  prefix: string,
  registry: Registry,
  collect: (metric: Gauge<string>) => void,
): void {
  const metric: Gauge<string> = new Gauge({
    name: prefix + spec.name,
    help: spec.help,
    labelNames: [...spec.labels],
    registers: [registry],
    collect: () => collect(metric),
  });
}

/**
 * The learned-capacity gauges (capacity, refill, remaining now, in flight, answers and 429s per
 * deployment), read from `samples` on each scrape — nothing on the request path.
 */
export function registerCapacityMetrics(
  registry: Registry,
  prefix: string,
  samples: () => Iterable<LearnedCapacitySample>,
): void {
  const perDimension = (field: keyof LearnedDimensionSample) => (metric: Gauge<string>) => {
    metric.reset();
    for (const sample of samples())
      for (const dimension of ["requests", "tokens"] as const) {
        const value = sample[dimension][field];
        if (value !== null && Number.isFinite(value))
          metric.labels(sample.deploymentId, sample.provider, sample.model, dimension).set(value);
      }
  };
  gauge(catalogue.learnedCapacity, prefix, registry, perDimension("capacity"));
  gauge(catalogue.learnedRefill, prefix, registry, perDimension("refillPerMinute"));
  gauge(catalogue.learnedRemaining, prefix, registry, perDimension("remaining"));
  gauge(catalogue.learnedInFlight, prefix, registry, perDimension("inFlight"));
  gauge(catalogue.learnedAnswers, prefix, registry, (metric) => {
    metric.reset();
    for (const sample of samples()) {
      metric.labels(sample.deploymentId, sample.provider, sample.model, "answered").set(sample.answers);
      metric.labels(sample.deploymentId, sample.provider, sample.model, "rate_limited").set(sample.rejected);
    }
  });
}
