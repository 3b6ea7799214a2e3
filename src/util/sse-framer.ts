import { createParser, type EventSourceParser } from "eventsource-parser";
import { maxSseEventBytes, type SseMessage } from "./sse.js";

/** The complete events of one upstream read, and the bytes they came in (null when not kept as is). */
export interface SseBatch {
  messages: SseMessage[];
  /** Exactly the bytes of `messages` as the upstream sent them; null when they were re-framed. */
  raw: Buffer | null;
}

const newline = 10;
const carriageReturn = 13;
const blankLine = Buffer.from("\n\n");

/**
 * Frames server-sent events on bytes, for streams that are forwarded as they came: events end at a
 * blank line (`\n\n`, found with `Buffer.indexOf`), and each batch keeps the bytes of its complete
 * events so a pass-through can write them unchanged. An event split across reads waits for the
 * rest. Streams that use `\r` line ends (allowed by the SSE spec, rare in practice) are handed to
 * `eventsource-parser` from the first `\r` on, without raw bytes. Incomplete events are bounded.
 */
export class SseFramer {
  #rest: Buffer | null = null;
  #parser: EventSourceParser | null = null;
  #parsed: SseMessage[] = [];
  #decoder: TextDecoder | null = null;
  #overflow: Error | null = null;

  constructor(private readonly maxEventBytes = maxSseEventBytes) {}

  /** The complete events of this read (with their bytes), or null when none completed. */
  push(chunk: Buffer): SseBatch | null {
    if (this.#parser) return this.#viaParser(chunk);
    if (chunk.indexOf(carriageReturn) !== -1) return this.#switchToParser(chunk);
    const rest = this.#rest;
    const bytes = rest === null ? chunk : Buffer.concat([rest, chunk]);
    const messages: SseMessage[] = [];
    let start = 0;
    for (let end = bytes.indexOf(blankLine, start); end !== -1; end = bytes.indexOf(blankLine, start)) {
      readBlock(bytes.toString("utf8", start, end), messages);
      start = end + 2;
    }
    // Extra blank lines between events belong to the event before them.
    while (start < bytes.length && bytes[start] === newline) start += 1;
    this.#rest = start < bytes.length ? bytes.subarray(start) : null;
    if (this.#rest !== null && this.#rest.length > this.maxEventBytes)
      throw new Error(`An SSE event is larger than ${this.maxEventBytes} bytes.`);
    if (messages.length === 0) return null;
    return { messages, raw: start === bytes.length ? bytes : bytes.subarray(0, start) };
  }

  /** At the end of the stream: an event cut off without its blank line, still delivered. */
  end(): SseMessage[] {
    if (this.#parser) {
      this.#parser.feed(`${this.#decoder?.decode() ?? ""}\n\n`);
      return this.#take();
    }
    const rest = this.#rest;
    this.#rest = null;
    if (rest === null) return [];
    const messages: SseMessage[] = [];
    readBlock(rest.toString("utf8"), messages);
    return messages;
  }

  #switchToParser(chunk: Buffer): SseBatch | null {
    this.#decoder = new TextDecoder();
    this.#parser = createParser({
      onEvent: (message) => this.#parsed.push({ event: message.event, data: message.data }),
      onError: (error) => {
        if (error.type === "max-buffer-size-exceeded") this.#overflow = error;
      },
      maxBufferSize: this.maxEventBytes,
    });
    const rest = this.#rest;
    this.#rest = null;
    if (rest !== null) this.#parser.feed(this.#decoder.decode(rest, { stream: true }));
    return this.#viaParser(chunk);
  }

  #viaParser(chunk: Buffer): SseBatch | null {
    this.#parser?.feed(this.#decoder?.decode(chunk, { stream: true }) ?? "");
    if (this.#overflow) throw this.#overflow;
    const messages = this.#take();
    return messages.length === 0 ? null : { messages, raw: null };
  }

  #take(): SseMessage[] {
    const messages = this.#parsed;
    this.#parsed = [];
    return messages;
  }
}

/** Reads one event block (its lines, without the blank line) into `out` when it carries data. */
function readBlock(block: string, out: SseMessage[]): void {
  // The common case: one `data: …` line.
  if (block.indexOf("\n") === -1) {
    if (block.startsWith("data:")) {
      out.push({ event: undefined, data: block.charCodeAt(5) === 32 ? block.slice(6) : block.slice(5) });
    }
    return;
  }
  let data: string | null = null;
  let event: string | undefined;
  for (const line of block.split("\n")) {
    const colon = line.indexOf(":");
    if (colon === 0) continue;
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? "" : line.slice(colon + 1);
    if (value.charCodeAt(0) === 32) value = value.slice(1);
    if (field === "data") data = data === null ? value : `${data}\n${value}`;
    else if (field === "event") event = value;
  }
  if (data !== null) out.push({ event, data });
}
