import type { IncomingHttpHeaders } from "node:http";
import { readApiKey } from "./auth.js";
import type { SimWire } from "./types.js";

const GEMINI_MODELS_PREFIX = "/v1beta/models/";

/** The wire format of a path: `/v1/messages[/…]` is Anthropic, `/v1beta[/…]` Gemini, the rest OpenAI. */
export function wireOf(path: string): SimWire {
  if (path.startsWith("/v1/messages") && (path.length === 12 || path[12] === "/")) return "anthropic";
  if (path.startsWith("/v1beta") && (path.length === 7 || path[7] === "/")) return "gemini";
  return "openai";
}

/**
 * The API key of a request: Gemini `x-goog-api-key`, else the `key` query parameter; OpenAI and Anthropic
 * `Authorization: Bearer <key>`, else `x-api-key`. Null when absent.
 */
export function readRequestKey(wire: SimWire, headers: IncomingHttpHeaders, query: string): string | null {
  if (wire !== "gemini") return readApiKey(headers);
  const header = headers["x-goog-api-key"];
  const key = Array.isArray(header) ? header[0] : header;
  if (key !== undefined && key !== "") return key;
  if (query === "") return null;
  const fromQuery = new URLSearchParams(query).get("key");
  return fromQuery === null || fromQuery === "" ? null : fromQuery;
}

/** A Gemini model call path: `/v1beta/models/{model}:{method}`. */
export interface GeminiTarget {
  readonly model: string;
  /** E.g. `generateContent`, `streamGenerateContent`; "" when the path has no `:method`. */
  readonly method: string;
}

/** Reads `/v1beta/models/{model}[:{method}]`; undefined for other paths or an empty model. */
export function geminiTarget(path: string): GeminiTarget | undefined {
  if (!path.startsWith(GEMINI_MODELS_PREFIX)) return undefined;
  const rest = path.slice(GEMINI_MODELS_PREFIX.length);
  const colon = rest.lastIndexOf(":");
  const rawModel = colon < 0 ? rest : rest.slice(0, colon);
  let model: string;
  try {
    model = decodeURIComponent(rawModel);
  } catch {
    return undefined;
  }
  if (model === "" || model.includes("/")) return undefined;
  return { model, method: colon < 0 ? "" : rest.slice(colon + 1) };
}

/** The model of a request: the body's `model`, or for Gemini the model of the path. */
export function requestModel(wire: SimWire, path: string, body: unknown): string | null {
  if (wire === "gemini") return geminiTarget(path)?.model ?? null;
  if (typeof body !== "object" || body === null) return null;
  const model = (body as { model?: unknown }).model;
  return typeof model === "string" ? model : null;
}
