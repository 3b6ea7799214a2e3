/**
 * Mid-stream recovery, the pure parts: what the caller has already received (text, tool calls, the
 * stream's id), the continuation request (the original one plus that text as an assistant prefill),
 * the rewrite of the continuation's chunks into the caller's stream, and the splice of a regenerated
 * answer (a deployment that rejects prefill answers from the start: the prefix already sent is dropped).
 */
import type { ChatRequest, StreamChunkEvent, Usage } from "../../types/index.js";

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function parse(data: string): Json | null {
  try {
    const value: unknown = JSON.parse(data);
    return isObject(value) ? value : null;
  } catch {
    return null;
  }
}

/** What reached the caller before the stream broke. */
export interface SentSoFar {
  /** The text content of choice 0, concatenated. */
  text: string;
  /** A tool-call (or function-call) delta, a refusal, a second choice or a non-OpenAI chunk went out: not recoverable. */
  unrecoverable: boolean;
  /** The stream's `id`, `created` and `model`, which the continuation keeps. */
  id: string | null;
  created: number | null;
  model: string | null;
  /** Content chunks sent (an estimate of the completion tokens when the upstream reported none). */
  contentChunks: number;
}

/** Reads the chunks sent to the caller (parsed only now, after a failure: nothing is spent before). */
export function sentSoFar(chunks: readonly StreamChunkEvent[]): SentSoFar {
  const sent: SentSoFar = {
    text: "",
    unrecoverable: false,
    id: null,
    created: null,
    model: null,
    contentChunks: 0,
  };
  for (const event of chunks) {
    const chunk = (event.chunk as Json | undefined) ?? parse(event.data);
    if (chunk === null || !Array.isArray(chunk["choices"])) {
      sent.unrecoverable = true;
      return sent;
    }
    if (sent.id === null && typeof chunk["id"] === "string") sent.id = chunk["id"];
    if (sent.created === null && typeof chunk["created"] === "number") sent.created = chunk["created"];
    if (sent.model === null && typeof chunk["model"] === "string") sent.model = chunk["model"];
    for (const choice of chunk["choices"] as unknown[]) {
      if (!isObject(choice)) continue;
      if ((choice["index"] ?? 0) !== 0) sent.unrecoverable = true;
      const delta = choice["delta"];
      if (!isObject(delta)) continue;
      if (delta["tool_calls"] != null || delta["function_call"] != null || delta["refusal"] != null)
        sent.unrecoverable = true;
      if (typeof delta["content"] === "string" && delta["content"] !== "") {
        sent.text += delta["content"];
        sent.contentChunks += 1;
      }
    }
  }
  return sent;
}

/**
 * The continuation request: the original plus the text already sent as a trailing assistant turn
 * (without its trailing whitespace, which Anthropic refuses), or the original alone (`prefill` false:
 * the deployment rejects prefill and regenerates the whole answer).
 */
export function continuationRequest(request: ChatRequest, sentText: string, prefill: boolean): ChatRequest {
  if (!prefill) return request;
  const assistant = { role: "assistant", content: sentText.trimEnd() };
  return { ...request, messages: [...request.messages, assistant] };
}

/** A 400 that says the deployment does not accept an assistant prefill (learned, then regenerated). */
export function isPrefillRejection(error: unknown): boolean {
  if (!isObject(error)) return false;
  const status = error["status"];
  if (status !== 400 && status !== 422) return false;
  const code = typeof error["code"] === "string" ? error["code"] : "";
  const message = typeof error["message"] === "string" ? error["message"] : "";
  return (
    code === "invalid_prefill" ||
    /prefill|must end with a user message|final assistant content/i.test(message)
  );
}

/** The whitespace-insensitive splice of a regenerated answer onto the text already sent. */
export type SpliceResult =
  /** Not enough of the new answer yet to tell. */
  | { type: "wait" }
  /** The new answer repeats what was sent: this is the part after it (maybe empty). */
  | { type: "emit"; text: string }
  /** The new answer differs from what was sent: stitching would garble the text. */
  | { type: "mismatch" };

const isSpace = (code: number): boolean => code === 32 || code === 9 || code === 10 || code === 13;

/**
 * Whether `fresh` (the start of a regenerated answer) begins with `sent`, any run of whitespace
 * matching any other (and leading whitespace ignored); if so, what follows it. Pure.
 */
export function splice(sent: string, fresh: string): SpliceResult {
  let i = 0;
  let j = 0;
  while (i < sent.length && isSpace(sent.charCodeAt(i))) i += 1;
  while (j < fresh.length && isSpace(fresh.charCodeAt(j))) j += 1;
  for (;;) {
    if (i >= sent.length) return { type: "emit", text: fresh.slice(j) };
    const a = sent.charCodeAt(i);
    if (isSpace(a)) {
      while (i < sent.length && isSpace(sent.charCodeAt(i))) i += 1;
      if (i >= sent.length) {
        // The sent text ended in whitespace: the new answer's own whitespace there was sent already.
        if (j >= fresh.length) return { type: "wait" };
        while (j < fresh.length && isSpace(fresh.charCodeAt(j))) j += 1;
        return j >= fresh.length ? { type: "wait" } : { type: "emit", text: fresh.slice(j) };
      }
      if (j >= fresh.length) return { type: "wait" };
      if (!isSpace(fresh.charCodeAt(j))) return { type: "mismatch" };
      while (j < fresh.length && isSpace(fresh.charCodeAt(j))) j += 1;
      continue;
    }
    if (j >= fresh.length) return { type: "wait" };
    if (fresh.charCodeAt(j) !== a) return { type: "mismatch" };
    i += 1;
    j += 1;
  }
}

/** How the continuation's chunks become chunks of the caller's stream. */
export interface ContinuationShape {
  id: string | null;
  created: number | null;
  model: string | null;
  /** Usage of the part sent before the break, added to the continuation's. */
  before: Usage;
}

/**
 * Rewrites one continuation chunk into the caller's stream: the first stream's `id`, `created` and
 * `model`, no second role, the text `content` replaced (the splice) when given, usage summed with the
 * part before. Returns null when nothing is left to send.
 */
export function rewriteChunk(
  event: StreamChunkEvent,
  shape: ContinuationShape,
  content: string | undefined,
): StreamChunkEvent | null {
  const chunk = (event.chunk as Json | undefined) ?? parse(event.data);
  if (chunk === null) return null;
  const next: Json = { ...chunk };
  if (shape.id !== null) next["id"] = shape.id;
  if (shape.created !== null) next["created"] = shape.created;
  if (shape.model !== null) next["model"] = shape.model;
  let keep = false;
  if (Array.isArray(chunk["choices"])) {
    next["choices"] = (chunk["choices"] as unknown[]).map((choice) => {
      if (!isObject(choice)) return choice;
      const copy: Json = { ...choice };
      if (copy["finish_reason"] != null) keep = true;
      if (isObject(choice["delta"])) {
        const delta: Json = { ...choice["delta"] };
        delete delta["role"];
        if (content !== undefined) delta["content"] = content;
        if (delta["content"] === "" && content !== undefined) delete delta["content"];
        for (const key in delta) if (delta[key] != null && delta[key] !== "") keep = true;
        copy["delta"] = delta;
      }
      return copy;
    });
  }
  let usage = event.usage;
  if (usage !== null) {
    usage = sumUsage(shape.before, usage);
    next["usage"] = usage;
    keep = true;
  }
  if (!keep) return null;
  return {
    type: "chunk",
    data: JSON.stringify(next),
    chunk: next as unknown as NonNullable<StreamChunkEvent["chunk"]>,
    content: event.content,
    finishReason: event.finishReason,
    usage,
    usageOnly: event.usageOnly,
  };
}

/** The text content of choice 0 of a chunk, or undefined. */
export function chunkText(event: StreamChunkEvent): string | undefined {
  const chunk = (event.chunk as Json | undefined) ?? parse(event.data);
  const choices = chunk?.["choices"];
  if (!Array.isArray(choices)) return undefined;
  const delta: unknown = isObject(choices[0]) ? choices[0]["delta"] : undefined;
  return isObject(delta) && typeof delta["content"] === "string" ? delta["content"] : undefined;
}

/** Two usages added (prompt, completion, total). */
export function sumUsage(a: Usage, b: Usage): Usage {
  const prompt = a.prompt_tokens + b.prompt_tokens;
  const completion = a.completion_tokens + b.completion_tokens;
  return { ...b, prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
}

/**
 * Maps the continuation's chunks into the caller's stream, chunk by chunk. With a prefill the
 * continuation is the rest of the answer (its leading whitespace dropped when the prefill lost a
 * trailing one); without, the regenerated answer is held until it has repeated the text already
 * sent ({@link splice}), then only what follows goes out — or `mismatch` is set and nothing more
 * may be sent. The chunk with the finish reason says the answer was stitched (`llmux.stitched`).
 */
export class ContinuationMapper {
  /** The regenerated answer did not repeat the text sent: the stream must end with the error. */
  mismatch = false;
  #spliced: boolean;
  #first: boolean;
  #fresh = "";
  readonly #trimmed: boolean;

  constructor(
    private readonly sent: SentSoFar,
    prefill: boolean,
    private readonly shape: ContinuationShape,
    private readonly recoveredFrom: string,
  ) {
    this.#spliced = prefill;
    this.#first = prefill;
    this.#trimmed = sent.text.length > sent.text.trimEnd().length;
  }

  /** The continuation goes on after the text sent (a prefill, or a regenerated answer that repeated it). */
  get spliced(): boolean {
    return this.#spliced;
  }

  /** The caller's chunk for one continuation chunk, or null (nothing to send for it). */
  map(event: StreamChunkEvent): StreamChunkEvent | null {
    if (this.mismatch) return null;
    let text = chunkText(event);
    if (!this.#spliced) {
      if (text !== undefined) this.#fresh += text;
      const joined = splice(this.sent.text, this.#fresh);
      if (joined.type === "mismatch" || (joined.type === "wait" && event.finishReason !== null)) {
        this.mismatch = true;
        return null;
      }
      if (joined.type === "wait") return null;
      this.#spliced = true;
      text = joined.text;
    } else if (this.#first && text !== undefined && text !== "") {
      this.#first = false;
      if (this.#trimmed) text = text.trimStart();
    }
    const out = rewriteChunk(event, this.shape, text);
    if (out !== null && event.finishReason !== null) {
      const body = out.chunk as unknown as Json;
      body["llmux"] = { stitched: true, recovered_from: this.recoveredFrom };
      out.data = JSON.stringify(body);
    }
    return out;
  }
}
