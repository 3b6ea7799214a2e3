export {
  answerBytes,
  answerFromBody,
  answerFromChunks,
  isCompleteCompletion,
  parseChunks,
  type CachedAnswer,
  type CachedBody,
  type CachedStream,
  type CacheEntry,
} from "./answer.js";
export { bodyToChunks } from "./body-to-chunks.js";
export { cacheKey, canonicalRequest, fieldsOutsideKey } from "./cache-key.js";
export { canonicalJson } from "./canonical-json.js";
export { chunksToBody } from "./chunks-to-body.js";
export { cacheDirective, type CacheDirective, type RequestHeaders } from "./directive.js";
export { decodeEntry, encodeEntry } from "./entry-codec.js";
export { MemoryCacheStore, type MemoryCacheStoreOptions } from "./memory-store.js";
export { RedisCacheStore, type RedisCacheClient, type RedisCacheStoreOptions } from "./redis-store.js";
export { replayAsBody, replayAsSse, replayFor, type Replay, type ReplayStreamOptions } from "./replay.js";
export {
  ResponseCache,
  type CacheCounters,
  type CacheLookup,
  type ResponseCacheOptions,
  type SaveOptions,
} from "./response-cache.js";
export { cacheEnabledFor, defaultCacheSettings, type CacheSettings } from "./settings.js";
export type { CacheStore, CacheStoreStats } from "./store.js";
