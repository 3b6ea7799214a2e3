import { openAIStreamBatch } from "../../providers/openai/index.js";
import type { StreamBatch, StreamEvent } from "../../types/index.js";
import { SseFramer, type SseMessage } from "../../util/index.js";

/**
 * The batches of an OpenAI-compatible SSE body, one per read, each keeping the bytes of its
 * complete events (`raw`) so a pass-through forwards them unchanged. `read` maps one `data:`
 * payload (the scanner by default: the relay needs only a summary of each chunk).
 */
export async function* openAIEventBatches(
  body: AsyncIterable<Buffer>,
  read?: (data: string) => StreamEvent,
): AsyncGenerator<StreamBatch> {
  const framer = new SseFramer();
  for await (const chunk of body) {
    const sse = framer.push(chunk);
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

/**
 * The batches of a translated SSE body (Anthropic, Gemini): each read's messages through a
 * stateful per-message mapper; no raw bytes (the client's dialect differs). Empty batches are not
 * yielded.
 */
export async function* mappedEventBatches(
  body: AsyncIterable<Buffer>,
  map: (message: SseMessage) => StreamEvent[],
): AsyncGenerator<StreamBatch> {
  const framer = new SseFramer();
  const mapAll = (messages: readonly SseMessage[]): StreamBatch => {
    const events: StreamBatch = [];
    for (const message of messages) for (const event of map(message)) events.push(event);
    return events;
  };
  for await (const chunk of body) {
    const sse = framer.push(chunk);
    if (sse === null) continue;
    const events = mapAll(sse.messages);
    if (events.length > 0) yield events;
  }
  const events = mapAll(framer.end());
  if (events.length > 0) yield events;
}
