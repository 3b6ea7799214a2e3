import type { BatchSink, BatchSource, StreamBatch } from "../../types/index.js";

/**
 * A push source over an iterable of batches (targets that do not own their connection: the OpenAI
 * SDK's body, scripted test targets): reads one batch at a time while not paused, and stops the
 * iterator when cancelled.
 */
class PullSource implements BatchSource {
  #iterator: AsyncIterator<StreamBatch> | null = null;
  #paused = false;
  #wake: (() => void) | null = null;
  #cancelled = false;

  constructor(private readonly events: AsyncIterable<StreamBatch>) {}

  start(sink: BatchSink): void {
    const iterator = (this.#iterator = this.events[Symbol.asyncIterator]());
    void (async () => {
      try {
        for (;;) {
          if (this.#paused) await new Promise<void>((resolve) => (this.#wake = resolve));
          if (this.#cancelled) return;
          const step = await iterator.next();
          if (this.#cancelled) return;
          if (step.done) break;
          sink.batch(step.value);
        }
        sink.end();
      } catch (error) {
        sink.error(error);
      }
    })();
  }

  pause(): void {
    this.#paused = true;
  }

  resume(): void {
    this.#paused = false;
    const wake = this.#wake;
    this.#wake = null;
    wake?.();
  }

  cancel(): void {
    if (this.#cancelled) return;
    this.#cancelled = true;
    this.resume();
    this.#iterator?.return?.(undefined).catch(() => {});
  }
}

/** Pushes the batches of `events` (see `PullSource`). */
export function pullSource(events: AsyncIterable<StreamBatch>): BatchSource {
  return new PullSource(events);
}
