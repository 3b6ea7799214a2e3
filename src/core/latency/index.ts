export {
  LatencyPriors,
  type LatencyPriorsOptions,
  type LatencySample,
  type LatencySummary,
} from "./latency-priors.js";
export { WindowHistogram, type Percentiles, type SliceCounts } from "./window-histogram.js";
export { bucketOf, bucketValue, defaultLayout, sameLayout, type BucketLayout } from "./log-buckets.js";
export {
  isLatencySnapshot,
  mergeLatencySnapshots,
  type DeploymentSlices,
  type LatencyMetric,
  type LatencySnapshot,
} from "./snapshot.js";
export {
  leastLatency,
  type LatencyCandidate,
  type LatencyOf,
  type LeastLatencyOptions,
} from "./least-latency.js";
export { blendedPrice, leastCost, type CostCandidate, type PriceOf, type TokenPrices } from "./least-cost.js";
export { shuffled } from "./shuffle.js";
