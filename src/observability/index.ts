export { StatsCollector, type DeploymentCounters, type LatencySummary } from "./stats.js";
export { SampleRing } from "./percentiles.js";
export {
  DashboardCollector,
  type DashboardOptions,
  type DashboardSnapshot,
  type DeploymentTally,
  type GroupTally,
  type RecentError,
  type SeriesWindow,
} from "./dashboard.js";
export { GatewayMetrics, type GatewayMetricsOptions, type DeploymentStateSample } from "./metrics.js";
export {
  metricCatalogue,
  deploymentStates,
  type MetricSpec,
  type DeploymentStateName,
  type RateLimitDimensionName,
} from "./metric-names.js";
export {
  createLogger,
  requestLogLine,
  type Logger,
  type LoggerOptions,
  type RequestLogFields,
} from "./logger.js";
export { RequestLineWriter, type LineDestination } from "./request-line.js";
export { BufferedLineWriter, type BufferedLineWriterOptions } from "./buffered-line-writer.js";
export type { LearnedCapacitySample, LearnedDimensionSample } from "./capacity-metrics.js";
