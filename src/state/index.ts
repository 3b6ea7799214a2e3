export { MemoryStateStore } from "./memory-store.js";
export * as healthTransitions from "./health.js";
export * as capacity from "./capacity.js";
