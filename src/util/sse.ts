import { createParser, type EventSourceMessage } from "eventsource-parser";

/** One server-sent event: its `event:` name (if any) and its `data:` text. */
export interface SseMessage {
  event: string | undefined;
  data: string;
}

/** Largest incomplete event we buffer before giving up on a stream (8 MiB). */
export const maxSseEventBytes = 8 * 1024 * 1024;

/**
 * Decodes a byte stream of server-sent events incrementally: bytes are decoded as UTF-8 (split
 * characters are kept across chunks) and handed to `eventsource-parser` with a bounded buffer.
 * Yields the complete events of each network read as one batch (never empty), so a consumer pays
 * one async step per read, not per event; an oversized event throws.
 */
export async function* decodeSse(
  body: AsyncIterable<Uint8Array>,
  maxEventBytes = maxSseEventBytes,
): AsyncGenerator<SseMessage[]> {
  const decoder = new TextDecoder();
  let pending: SseMessage[] = [];
  let failure: Error | null = null;
  const parser = createParser({
    onEvent: (message: EventSourceMessage) => pending.push({ event: message.event, data: message.data }),
    onError: (error) => {
      if (error.type === "max-buffer-size-exceeded") failure = error;
    },
    maxBufferSize: maxEventBytes,
  });
  for await (const bytes of body) {
    parser.feed(decoder.decode(bytes, { stream: true }));
    if (failure) throw failure;
    if (pending.length > 0) {
      const ready = pending;
      pending = [];
      yield ready;
    }
  }
  // An event cut off without its blank line is still delivered (a truncated one then fails to parse and is skipped).
  parser.feed(`${decoder.decode()}\n\n`);
  if (pending.length > 0) yield pending;
}

/** Encodes one SSE event the way OpenAI sends them: `data: <text>\n\n`, with an optional `event:` line. */
export function encodeSse(data: string, event?: string): string {
  return event === undefined ? `data: ${data}\n\n` : `event: ${event}\ndata: ${data}\n\n`;
}
