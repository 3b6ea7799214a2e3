import type { Agent } from "undici";
import { AnthropicHttpTarget, createUpstreamAgent, GeminiHttpTarget } from "../core/index.js";
import type { Target } from "../types/index.js";

/** Options of a native provider target made from an API key. */
export interface NativeTargetOptions {
  apiKey: string;
  /** Override the API's base URL (a proxy, or a local simulator in tests). */
  baseURL?: string;
  /** A label for stats and logs; default the provider's name. */
  name?: string;
  headers?: Record<string, string>;
}

function withOwnAgent<T extends Target>(make: (agent: Agent) => T): T {
  const agent = createUpstreamAgent();
  const target = make(agent);
  target.close = () => agent.close();
  return target;
}

/**
 * An Anthropic (Messages API) target to add beside OpenAI SDK clients:
 * `mux.addModel(anthropic({ apiKey }), 2, "claude-sonnet-4-0")`. Requests, answers and streams are
 * translated; the multiplexer's `close()` releases its connections.
 */
export function anthropic(options: NativeTargetOptions): Target {
  return withOwnAgent(
    (dispatcher) =>
      new AnthropicHttpTarget({
        provider: options.name ?? "anthropic",
        apiKey: options.apiKey,
        baseUrl: options.baseURL ?? null,
        headers: options.headers ?? {},
        dispatcher,
      }),
  );
}

/** A Google Gemini (`generateContent`) target: `mux.addModel(gemini({ apiKey }), 1, "gemini-2.5-flash")`. */
export function gemini(options: NativeTargetOptions): Target {
  return withOwnAgent(
    (dispatcher) =>
      new GeminiHttpTarget({
        provider: options.name ?? "gemini",
        apiKey: options.apiKey,
        baseUrl: options.baseURL ?? null,
        headers: options.headers ?? {},
        dispatcher,
      }),
  );
}
