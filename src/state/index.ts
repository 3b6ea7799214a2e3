export { MemoryStateStore } from "./memory-store.js";
export * as healthTransitions from "./health.js";
