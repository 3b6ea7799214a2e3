import type { ChatCompletionBody, ChatCompletionChunkBody } from "../../types/index.js";

/** A complete, successful answer as it was sent to the caller. */
export type CachedAnswer = CachedBody | CachedStream;

/** A non-streaming answer: the body bytes and their content type. */
export interface CachedBody {
  kind: "body";
  contentType: string;
  body: Uint8Array;
}

/**
 * A streamed answer: the JSON text of every chunk (`data:` of each event, without `[DONE]`), including
 * the `include_usage` chunk when the upstream sent one.
 */
export interface CachedStream {
  kind: "stream";
  chunks: readonly string[];
}

/** One stored answer with its times. */
export interface CacheEntry {
  answer: CachedAnswer;
  /** When it was stored (ms since the epoch). */
  storedAt: number;
  /** When it stops being served. */
  expiresAt: number;
  /** The deployment that produced it, if the caller said. */
  deploymentId: string | null;
}

const decoder = new TextDecoder();
const encoder = new TextEncoder();

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Whether a parsed body is a finished `chat.completion`: at least one choice, each with a finish reason. */
export function isCompleteCompletion(value: unknown): value is ChatCompletionBody {
  if (!isRecord(value) || value["object"] !== "chat.completion") return false;
  const choices = value["choices"];
  if (!Array.isArray(choices) || choices.length === 0) return false;
  return choices.every((choice) => isRecord(choice) && typeof choice["finish_reason"] === "string");
}

/**
 * A non-streaming answer to cache, or null when it is not a complete `chat.completion` (an error body,
 * an unfinished choice, something else). Reads the body once to check.
 */
export function answerFromBody(
  body: Uint8Array | string,
  contentType = "application/json",
): CachedBody | null {
  const bytes = typeof body === "string" ? encoder.encode(body) : body;
  const text = typeof body === "string" ? body : decoder.decode(body);
  return isCompleteCompletion(parse(text)) ? { kind: "body", contentType, body: bytes } : null;
}

/** Parses chunk texts, skipping anything that is not a `chat.completion.chunk`. */
export function parseChunks(chunks: readonly string[]): ChatCompletionChunkBody[] {
  const parsed: ChatCompletionChunkBody[] = [];
  for (const text of chunks) {
    const chunk = parse(text);
    if (isRecord(chunk) && chunk["object"] === "chat.completion.chunk" && Array.isArray(chunk["choices"])) {
      parsed.push(chunk as unknown as ChatCompletionChunkBody);
    }
  }
  return parsed;
}

/**
 * A streamed answer to cache, from the chunk texts of a stream that ended cleanly, or null when it is
 * not complete: no choice, a choice without a finish reason, or a payload that is not a chunk (an
 * in-band error).
 */
export function answerFromChunks(chunks: readonly string[]): CachedStream | null {
  const parsed = parseChunks(chunks);
  if (parsed.length !== chunks.length || parsed.length === 0) return null;
  const finished = new Map<number, boolean>();
  for (const chunk of parsed) {
    for (const choice of chunk.choices) {
      const index = typeof choice.index === "number" ? choice.index : 0;
      if (!finished.get(index)) finished.set(index, typeof choice.finish_reason === "string");
    }
  }
  if (finished.size === 0 || [...finished.values()].includes(false)) return null;
  return { kind: "stream", chunks: [...chunks] };
}

/** The payload size of an answer in bytes (body bytes, or the UTF-8 size of the chunks). */
export function answerBytes(answer: CachedAnswer): number {
  if (answer.kind === "body") return answer.body.byteLength;
  let total = 0;
  for (const chunk of answer.chunks) total += Buffer.byteLength(chunk, "utf8");
  return total;
}
