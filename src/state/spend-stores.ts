export type * from "./spend-types.js";
export { MemorySpendStore } from "./spend-memory-store.js";
export {
  openSqliteSpendStore,
  SqliteSpendStore,
  type SqliteSpendStoreOptions,
} from "./spend-sqlite-store.js";
export {
  createRedisSpendStore,
  RedisSpendStore,
  SpendStoreUnavailableError,
  type RedisSpendStoreOptions,
} from "./spend-redis-store.js";
export { SpendLedger, keyWindowMs } from "./spend-ledger.js";
