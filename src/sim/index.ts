/**
 * The provider simulator: a real HTTP server speaking the OpenAI, Anthropic Messages and Gemini
 * generateContent wire formats, with per-key or per-organisation rate limits (fixed windows or token buckets), context windows and injectable faults, for tests,
 * benchmarks and demos. OpenAI clients use `sim.url`, Anthropic and Gemini clients `sim.origin`.
 *
 * @example
 * const sim = await startSimulator({ keys: { k1: { rpm: 2 } } });
 * const client = new OpenAI({ baseURL: sim.url, apiKey: "k1", maxRetries: 0 });
 * sim.addFault({ kind: "status", status: 503, times: 1 });
 * await sim.close();
 */
export { startSimulator } from "./server.js";
export { answerPieces } from "./answer.js";
export { embeddingVector } from "./embeddings.js";
export { formatGoDuration } from "./duration.js";
export type {
  SimFault,
  SimFaultKind,
  SimKeyOptions,
  SimLimiterKind,
  SimLimits,
  SimModelOptions,
  SimOrgOptions,
  SimRateLimitHeaders,
  SimRequestRecord,
  Simulator,
  SimulatorOptions,
  SimWire,
} from "./types.js";
