import type { OutputBatch } from "../core/index.js";
import type { SecretRedactor } from "../errors/index.js";
import {
  createAnthropicEventWriter,
  type AnthropicEventWriter,
  type AnthropicEventWriterOptions,
} from "../providers/anthropic/index.js";
import type { ChatCompletionChunkBody, StreamChunkEvent } from "../types/index.js";
import { inBandAnthropicError } from "./anthropic-errors.js";
import type { DialectWriter } from "./dialect-sink.js";

const messageStop = 'event: message_stop\ndata: {"type":"message_stop"}\n\n';

/** The parsed chunk of an event (pass-through scanners do not parse; translated ones do). */
export function chunkOf(event: StreamChunkEvent): ChatCompletionChunkBody {
  return event.chunk ?? (JSON.parse(event.data) as ChatCompletionChunkBody);
}

/**
 * Writes a stream to a `/v1/messages` caller. When the answering upstream spoke Anthropic itself
 * (`passThrough`) and the stream's first batch came as its bytes, every batch is written as the
 * upstream's bytes (thinking signatures, citations, server-tool blocks and all); otherwise each
 * chunk goes through the Anthropic event writer (`message_start`, one block at a time,
 * `message_delta`, `message_stop`). The mode is chosen once, on the first batch: the two are never
 * mixed in one stream. After the commit point a failure is one in-band `event: error`.
 */
export class AnthropicStreamWriter implements DialectWriter {
  #mode: "bytes" | "translate" | null = null;
  #writer: AnthropicEventWriter | null = null;

  constructor(
    private readonly passThrough: boolean,
    private readonly options: AnthropicEventWriterOptions,
    private readonly redactor: SecretRedactor,
  ) {}

  batch(batch: OutputBatch): string | Buffer {
    this.#mode ??= this.passThrough && batch.raw !== null ? "bytes" : "translate";
    // A batch the relay had to rebuild (an error event in it) cannot be written in the upstream's
    // own block numbering: its events are left out; the end says what happened.
    if (this.#mode === "bytes") return batch.raw ?? "";
    const writer = this.#translator();
    let out = "";
    for (const event of batch.events) out += writer.write(chunkOf(event));
    return out;
  }

  done(doneSent: boolean): string {
    if (this.#mode === "bytes") return doneSent ? "" : messageStop;
    return this.#translator().finish();
  }

  error(error: unknown): string {
    const { type, message } = inBandAnthropicError(error, this.redactor);
    if (this.#mode === "translate") return this.#translator().error(type, message);
    return `event: error\ndata: ${JSON.stringify({ type: "error", error: { type, message } })}\n\n`;
  }

  #translator(): AnthropicEventWriter {
    return (this.#writer ??= createAnthropicEventWriter(this.options));
  }
}
