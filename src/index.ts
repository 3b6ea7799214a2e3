/**
 * llmux: combine the rate limits of many LLM providers, accounts and keys behind one
 * OpenAI-compatible API.
 */
export * from "./library/index.js";
export * from "./errors/index.js";
export {
  Engine,
  buildGroup,
  type EngineOptions,
  type Strategy,
  type Deployment,
  type Group,
  type CallOptions,
} from "./core/index.js";
export { MemoryStateStore } from "./state/index.js";
export type * from "./types/index.js";
