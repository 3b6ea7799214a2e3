import type { StreamEvent } from "../../types/index.js";
import type { SseMessage } from "../../util/index.js";

/**
 * Maps decoded SSE batches through a stateful per-message mapper (Anthropic, Gemini) into
 * stream-event batches; empty batches are not yielded.
 */
export async function* mapSseBatches(
  batches: AsyncIterable<readonly SseMessage[]>,
  map: (message: SseMessage) => StreamEvent[],
): AsyncGenerator<StreamEvent[]> {
  for await (const batch of batches) {
    const events: StreamEvent[] = [];
    for (const message of batch) for (const event of map(message)) events.push(event);
    if (events.length > 0) yield events;
  }
}
