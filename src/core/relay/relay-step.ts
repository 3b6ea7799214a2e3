import type { StreamBatch, StreamChunkEvent, StreamErrorEvent, Usage } from "../../types/index.js";

/** What the relay knows about one stream so far. */
export interface RelayState {
  /** The first content (or a clean end) arrived: from here on, nothing fails over invisibly. */
  committed: boolean;
  /** A finish reason arrived. */
  finished: boolean;
  /** The last usage the upstream reported. */
  usage: Usage | null;
  /** Drop the `include_usage` chunk: the caller did not ask for it (llmux did). */
  readonly dropUsage: boolean;
  /** Chunks held back until the commit point (a role chunk, empty deltas). */
  held: StreamChunkEvent[];
  /** The bytes of the held batches while each was forwardable as it came; null once one was not. */
  heldRaw: Buffer[] | null;
}

/** How a batch ended the stream, if it did: the upstream's `[DONE]`, or an in-band error event. */
export type StepEnd = { type: "done" } | { type: "error"; event: StreamErrorEvent } | null;

/** The outcome of one batch. */
export interface StepResult {
  /** Chunks to send the caller now. */
  out: StreamChunkEvent[];
  /** The batch's bytes, to send as they came instead of building them from `out` (null: build). */
  raw: Buffer | null;
  /** This batch reached the commit point. */
  committed: boolean;
  end: StepEnd;
  /** Events that could not be understood (skipped). */
  malformed: number;
}

/** A fresh relay state. */
export function relayState(dropUsage: boolean): RelayState {
  return { committed: false, finished: false, usage: null, dropUsage, held: [], heldRaw: [] };
}

/**
 * The relay's pure per-batch step: what of one upstream read goes to the caller, and whether the
 * stream committed or ended in it. Before the commit point chunks are held back (so a failure can
 * still fail over invisibly); the chunk with the first content (or a finish reason, or a clean end)
 * commits and releases them. A batch whose every event passes unchanged keeps its raw bytes, so an
 * OpenAI-compatible stream (or an Anthropic stream to an Anthropic caller) is forwarded byte for
 * byte — the commit batch too, with the bytes of the batches held before it, when each of them was
 * forwardable; dropping the usage chunk, a malformed event or an error makes the batch be rebuilt
 * from its chunks.
 */
export function relayStep(state: RelayState, batch: StreamBatch): StepResult {
  let out: StreamChunkEvent[] = [];
  let verbatim = batch.raw !== undefined && batch.raw !== null;
  let end: StepEnd = null;
  let malformed = 0;
  let content = false;
  for (let index = 0; index < batch.length && end === null; index += 1) {
    const event = batch[index]!;
    switch (event.type) {
      case "chunk":
        if (event.finishReason !== null) state.finished = true;
        if (event.usage) state.usage = event.usage;
        if (event.content) content = true;
        if (state.dropUsage && event.usageOnly) verbatim = false;
        else out.push(event);
        break;
      case "done":
        end = { type: "done" };
        if (index < batch.length - 1) verbatim = false;
        break;
      case "malformed":
        malformed += 1;
        verbatim = false;
        break;
      case "error":
        end = { type: "error", event };
        verbatim = false;
        break;
    }
  }
  if (state.committed)
    return { out, raw: verbatim ? (batch.raw ?? null) : null, committed: false, end, malformed };
  if (end?.type === "error" || !(content || state.finished || end?.type === "done")) {
    for (const chunk of out) state.held.push(chunk);
    if (verbatim && state.heldRaw !== null) state.heldRaw.push(batch.raw!);
    else state.heldRaw = null;
    return { out: [], raw: null, committed: false, end, malformed };
  }
  state.committed = true;
  if (state.held.length > 0) {
    out = state.held.concat(out);
    state.held = [];
  }
  const heldRaw = state.heldRaw;
  state.heldRaw = null;
  const raw =
    verbatim && heldRaw !== null
      ? heldRaw.length === 0
        ? batch.raw!
        : Buffer.concat([...heldRaw, batch.raw!])
      : null;
  return { out, raw, committed: true, end, malformed };
}
