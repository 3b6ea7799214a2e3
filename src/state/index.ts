export { MemoryStateStore } from "./memory-store.js";
export * as healthTransitions from "./health.js";
export * as capacity from "./capacity.js";
export { createRedisStateStore, RedisStateStore, type RedisStateStoreOptions } from "./redis-store.js";
export { parseRedisUrl, describeTarget, type RedisTarget, type RedisHost } from "./redis-url.js";
export * as bucketTransitions from "./bucket.js";
export { deploymentState, canTakeRequests, isAvailable } from "./deployment-state.js";
