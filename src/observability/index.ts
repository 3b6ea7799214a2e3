export { StatsCollector, type DeploymentCounters, type LatencySummary } from "./stats.js";
export { SampleRing } from "./percentiles.js";
