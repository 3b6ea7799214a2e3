export {
  affinityKey,
  prefixChars,
  type AffinityKey,
  type AffinitySource,
  type RequestHeaders,
} from "./session-key.js";
export { defaultAffinityTtlMs, type AffinityStore, type MaybePromise } from "./affinity-store.js";
export { AffinityTable, type AffinityTableOptions } from "./affinity-table.js";
export {
  RedisAffinityStore,
  type RedisAffinityClient,
  type RedisAffinityStoreOptions,
} from "./redis-affinity-store.js";
export { preferDeployment } from "./prefer.js";
