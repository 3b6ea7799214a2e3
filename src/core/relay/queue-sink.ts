import type { StreamRelay, OutputBatch, OutputSink, RelayEnd } from "./stream-relay.js";

/** Batches queued for a reader before the relay is told to wait. */
const highWater = 16;

/**
 * The relay's batches as an async generator, for callers that pull (the library's `ChatStream`):
 * batches queue as they are pushed (the relay waits past a high water mark); the end is a return,
 * a stream broken after the commit point a thrown `StreamInterruptedError`, an abort a thrown
 * `AbortedError`. Breaking out of the loop stops the relay (and the upstream).
 */
export async function* pullBatches(relay: StreamRelay): AsyncGenerator<OutputBatch> {
  const queue: OutputBatch[] = [];
  const state: { ended: RelayEnd | null } = { ended: null };
  let wake: (() => void) | null = null;
  const notify = (): void => {
    const resolve = wake;
    wake = null;
    resolve?.();
  };
  const sink: OutputSink = {
    write(batch) {
      queue.push(batch);
      notify();
      return queue.length < highWater;
    },
    end(end) {
      state.ended = end;
      notify();
    },
  };
  relay.pipe(sink);
  let finished = false;
  try {
    for (;;) {
      const batch = queue.shift();
      if (batch !== undefined) {
        if (queue.length < highWater) relay.resume();
        yield batch;
        continue;
      }
      const end = state.ended;
      if (end !== null) {
        finished = true;
        if (end.type === "done") return;
        throw end.error;
      }
      await new Promise<void>((resolve) => (wake = resolve));
    }
  } finally {
    if (!finished) relay.stop();
  }
}
