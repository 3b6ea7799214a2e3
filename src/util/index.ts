export { parseDuration } from "./duration.js";
export { retryDelayFromHeaders, retryDelayFromBody } from "./rate-limit-signals.js";
export { systemClock, sleep } from "./clock.js";
export { headerMap } from "./headers.js";
export { safeJsonParse, isRecord } from "./json.js";
export { decodeSse, encodeSse, maxSseEventBytes, type SseMessage } from "./sse.js";
export { rateLimitSnapshot, type RateLimitSnapshot, type RateLimitDimension } from "./rate-limit-snapshot.js";
export { SseFramer, type SseBatch } from "./sse-framer.js";
