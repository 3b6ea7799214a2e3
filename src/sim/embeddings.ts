import { admitExchange } from "./admit.js";
import { authorize } from "./auth.js";
import type { SimContext } from "./context.js";
import { applyEarlyFault } from "./early-faults.js";
import { sendJson, type Exchange } from "./exchange.js";
import { openAiLimitHeaders } from "./limit-headers.js";
import { openAiErrorType, openAiLimitMessage } from "./limit-messages.js";
import { errorBody } from "./openai-errors.js";

const DEFAULT_DIMENSIONS = 8;
const MAX_DIMENSIONS = 4096;

/**
 * The deterministic embedding of one input: `dimensions` float32 values in [-1, 1) drawn from a xorshift32
 * sequence seeded with the FNV-1a hash of the input (token arrays are hashed as their comma-joined numbers).
 * Values are float32-exact, so float and base64 answers decode to the same numbers.
 */
export function embeddingVector(input: string, dimensions = DEFAULT_DIMENSIONS): number[] {
  let state = fnv1a(input) || 0x9e3779b9;
  const vector: number[] = [];
  for (let index = 0; index < dimensions; index += 1) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    vector.push(Math.fround(state / 2 ** 31 - 1));
  }
  return vector;
}

function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index += 1) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** Little-endian float32 bytes, base64-encoded (OpenAI's `encoding_format: "base64"`). */
export function toBase64(vector: readonly number[]): string {
  const bytes = Buffer.alloc(vector.length * 4);
  vector.forEach((value, index) => bytes.writeFloatLE(value, index * 4));
  return bytes.toString("base64");
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

type EmbeddingInput = { text: string; tokens: number }[];

/** Normalises `input` (string, string[], int[], int[][]); undefined when invalid. */
function readInput(input: unknown): EmbeddingInput | undefined {
  if (typeof input === "string") return [{ text: input, tokens: Math.max(1, Math.ceil(input.length / 4)) }];
  if (!Array.isArray(input) || input.length === 0) return undefined;
  if (input.every((item) => typeof item === "number"))
    return [{ text: input.join(","), tokens: input.length }];
  const items: EmbeddingInput = [];
  for (const item of input) {
    if (typeof item === "string") items.push({ text: item, tokens: Math.max(1, Math.ceil(item.length / 4)) });
    else if (Array.isArray(item) && item.every((token) => typeof token === "number")) {
      items.push({ text: item.join(","), tokens: item.length });
    } else return undefined;
  }
  return items;
}

/**
 * `POST /v1/embeddings`: early faults, authentication, validation, rate limits (the input tokens count
 * against `tpm`: ceil(characters / 4), at least 1, per string; the length of token arrays), then
 * `{object:"list", model, data:[{object:"embedding", index, embedding}], usage}` with {@link embeddingVector}s
 * of `dimensions` (default 8) values, as float arrays or, with `encoding_format: "base64"`, base64 strings.
 */
export function handleEmbeddings(context: SimContext, exchange: Exchange): void {
  const { record } = exchange;
  const fault = context.faults.find("embeddings", record.key, record.model);
  if (fault !== undefined) {
    context.faults.consume(fault);
    applyEarlyFault(exchange, fault);
    return;
  }
  if (!authorize(context, exchange)) return;
  const body = isObject(record.body) ? record.body : undefined;
  const invalid = (message: string, param: string): void =>
    sendJson(exchange, 400, errorBody(message, "invalid_request_error", null, param));
  if (typeof body?.["model"] !== "string" || body["model"] === "") {
    return invalid("you must provide a model parameter", "model");
  }
  const items = readInput(body["input"]);
  if (items === undefined)
    return invalid("'input' must be a string, an array of strings or token arrays.", "input");
  const dimensions = body["dimensions"] ?? DEFAULT_DIMENSIONS;
  if (
    typeof dimensions !== "number" ||
    !Number.isInteger(dimensions) ||
    dimensions < 1 ||
    dimensions > MAX_DIMENSIONS
  ) {
    return invalid(`'dimensions' must be an integer between 1 and ${MAX_DIMENSIONS}.`, "dimensions");
  }
  const tokens = items.reduce((sum, item) => sum + item.tokens, 0);
  const admission = admitExchange(context, exchange, body["model"], tokens, 0);
  if (!admission.admitted) {
    const type = openAiErrorType(admission.dimension);
    const error = errorBody(openAiLimitMessage(admission), type, "rate_limit_exceeded");
    sendJson(exchange, 429, error, openAiLimitHeaders(admission.state, admission.retryMs));
    return;
  }
  const base64 = body["encoding_format"] === "base64";
  const data = items.map((item, index) => {
    const vector = embeddingVector(item.text, dimensions);
    return { object: "embedding", index, embedding: base64 ? toBase64(vector) : vector };
  });
  const answer = {
    object: "list",
    model: body["model"],
    data,
    usage: { prompt_tokens: tokens, total_tokens: tokens },
  };
  sendJson(exchange, 200, JSON.stringify(answer), openAiLimitHeaders(admission.state));
}
