import { openAIStreamBatch } from "../../providers/openai/index.js";
import type { BatchSink, BatchSource, StreamBatch, StreamEvent } from "../../types/index.js";
import { SseFramer, type SseBatch, type SseMessage } from "../../util/index.js";
import type { UpstreamBody } from "./post.js";

/**
 * Pushes the batches of an SSE body as the connection reads it: each read is framed (`SseFramer`)
 * and mapped (`map`) at once, in the socket's data callback — no promise per read. A framer or
 * mapper that throws on what the upstream sent fails the stream (the upstream's fault).
 */
class SseBatchSource implements BatchSource {
  readonly #framer = new SseFramer();
  #sink: BatchSink | null = null;

  constructor(
    private readonly body: UpstreamBody,
    private readonly map: (sse: SseBatch) => StreamBatch | null,
  ) {}

  start(sink: BatchSink): void {
    this.#sink = sink;
    this.body.push({
      chunk: (chunk) => {
        let batch: StreamBatch | null;
        try {
          const sse = this.#framer.push(chunk);
          batch = sse === null ? null : this.map(sse);
        } catch (error) {
          this.#fail(error);
          return;
        }
        if (batch !== null) sink.batch(batch);
      },
      end: () => {
        let batch: StreamBatch | null;
        try {
          const last = this.#framer.end();
          batch = last.length === 0 ? null : this.map({ messages: last, raw: null });
        } catch (error) {
          this.#fail(error);
          return;
        }
        if (batch !== null) sink.batch(batch);
        sink.end();
      },
      error: (error) => sink.error(error),
    });
  }

  #fail(error: unknown): void {
    const sink = this.#sink;
    this.#sink = null;
    this.body.cancel(error);
    sink?.error(error);
  }

  pause(): void {
    this.body.pause();
  }

  resume(): void {
    this.body.resume();
  }

  cancel(reason?: unknown): void {
    this.body.cancel(reason);
  }
}

/**
 * The batches of an OpenAI-compatible SSE body, pushed read by read, each keeping the bytes of its
 * complete events (`raw`) so a pass-through forwards them unchanged. `read` maps one `data:`
 * payload (the scanner: the relay needs only a summary of each chunk).
 */
export function openAIBatchSource(body: UpstreamBody, read?: (data: string) => StreamEvent): BatchSource {
  return new SseBatchSource(body, (sse) => openAIStreamBatch(sse, read));
}

/**
 * The batches of a translated SSE body (Anthropic, Gemini), pushed read by read: each read's
 * messages through a stateful per-message mapper; no raw bytes (the client's dialect differs).
 */
export function mappedBatchSource(
  body: UpstreamBody,
  map: (message: SseMessage) => StreamEvent[],
): BatchSource {
  return new SseBatchSource(body, (sse) => {
    const events: StreamBatch = [];
    for (const message of sse.messages) for (const event of map(message)) events.push(event);
    return events.length === 0 ? null : events;
  });
}

/** SSE text of messages whose bytes were not kept (re-framed, or cut off at the end of the stream). */
function reframed(messages: readonly SseMessage[]): Buffer {
  let text = "";
  for (const message of messages) {
    if (message.event !== undefined) text += `event: ${message.event}\n`;
    for (const line of message.data.split("\n")) text += `data: ${line}\n`;
    text += "\n";
  }
  return Buffer.from(text);
}

/**
 * The batches of a native SSE body forwarded to a caller of the same dialect (Anthropic to an
 * Anthropic caller): each read's messages are mapped to summary events for the relay (content,
 * finish, usage, end, errors) while the batch keeps the read's bytes — also when no message mapped
 * to an event (`ping`, `content_block_stop`), so nothing the upstream sent is lost. What cannot be
 * read is forwarded as it came, not counted as malformed.
 */
export function passThroughBatchSource(
  body: UpstreamBody,
  map: (message: SseMessage) => StreamEvent[],
): BatchSource {
  return new SseBatchSource(body, (sse) => {
    const events: StreamBatch = [];
    for (const message of sse.messages)
      for (const event of map(message)) if (event.type !== "malformed") events.push(event);
    events.raw = sse.raw ?? reframed(sse.messages);
    return events;
  });
}

/**
 * The same batches pulled from an iterable of raw chunks (a body that can only be iterated, like
 * the OpenAI SDK's): for targets that do not own their connection.
 */
export async function* openAIEventBatches(
  body: AsyncIterable<Uint8Array>,
  read?: (data: string) => StreamEvent,
): AsyncGenerator<StreamBatch> {
  const framer = new SseFramer();
  for await (const chunk of body) {
    const sse = framer.push(
      Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength),
    );
    if (sse === null) continue;
    const batch = openAIStreamBatch(sse, read);
    if (batch !== null) yield batch;
  }
  const last = framer.end();
  if (last.length === 0) return;
  const batch = openAIStreamBatch({ messages: last, raw: null }, read);
  if (batch !== null) {
    batch.raw = null;
    yield batch;
  }
}
