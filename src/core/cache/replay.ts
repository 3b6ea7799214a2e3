import type { ChatCompletionChunkBody, ChatRequest } from "../../types/index.js";
import { encodeSse } from "../../util/index.js";
import { isCompleteCompletion, parseChunks, type CachedAnswer } from "./answer.js";
import { bodyToChunks } from "./body-to-chunks.js";
import { chunksToBody } from "./chunks-to-body.js";

/** How a replayed stream is shaped. */
export interface ReplayStreamOptions {
  /** The caller asked `stream_options.include_usage`: keep (or add) the usage chunk. */
  includeUsage: boolean;
}

/** A cached answer shaped for the request that hit it. */
export type Replay =
  { kind: "stream"; events: string[] } | { kind: "body"; contentType: string; body: Uint8Array };

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const nullUsageTail = ',"usage":null}';
const done = encodeSse("[DONE]");

function isUsageOnly(chunk: ChatCompletionChunkBody): boolean {
  return chunk.choices.length === 0 && chunk.usage !== undefined && chunk.usage !== null;
}

/** The chunk texts of a cached stream, without the usage chunk (and the `"usage":null` tails) unless asked. */
function streamChunks(chunks: readonly string[], includeUsage: boolean): string[] {
  if (includeUsage) return [...chunks];
  const out: string[] = [];
  for (const text of chunks) {
    const [chunk] = parseChunks([text]);
    if (chunk && isUsageOnly(chunk)) continue;
    out.push(text.endsWith(nullUsageTail) ? `${text.slice(0, -nullUsageTail.length)}}` : text);
  }
  return out;
}

/**
 * The SSE event texts (`data: …\n\n`, ending with `data: [DONE]\n\n`) replaying a cached answer as a
 * stream. A cached stream replays its own chunks; a cached body becomes role, content, tool-call and
 * finish chunks (see `bodyToChunks`). The usage chunk is sent only when `includeUsage`. Throws when a
 * cached body is not a complete `chat.completion` (never the case for answers from `answerFromBody`).
 */
export function replayAsSse(answer: CachedAnswer, options: ReplayStreamOptions): string[] {
  let texts: string[];
  if (answer.kind === "stream") {
    texts = streamChunks(answer.chunks, options.includeUsage);
  } else {
    const body: unknown = JSON.parse(decoder.decode(answer.body));
    if (!isCompleteCompletion(body)) throw new Error("The cached body is not a complete chat.completion.");
    texts = bodyToChunks(body, options.includeUsage).map((chunk) => JSON.stringify(chunk));
  }
  const events = texts.map((text) => encodeSse(text));
  events.push(done);
  return events;
}

/**
 * The body replaying a cached answer without streaming: a cached body as it was stored, a cached stream
 * as the `chat.completion` its chunks add up to (see `chunksToBody`).
 */
export function replayAsBody(answer: CachedAnswer): { contentType: string; body: Uint8Array } {
  if (answer.kind === "body") return { contentType: answer.contentType, body: answer.body };
  const body = chunksToBody(parseChunks(answer.chunks));
  return { contentType: "application/json", body: encoder.encode(JSON.stringify(body)) };
}

/** A cached answer shaped as the request wants it: an SSE stream for `stream: true`, else a body. */
export function replayFor(answer: CachedAnswer, request: ChatRequest): Replay {
  if (request.stream === true) {
    const includeUsage = request.stream_options?.include_usage === true;
    return { kind: "stream", events: replayAsSse(answer, { includeUsage }) };
  }
  return { kind: "body", ...replayAsBody(answer) };
}
