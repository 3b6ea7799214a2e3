import type { ServerResponse } from "node:http";
import type { OutputBatch, OutputSink, RelayEnd, StreamOutcome } from "../core/index.js";
import { GatewayShutdownError } from "../errors/index.js";
import type { OpenStream } from "./open-streams.js";
import type { SseEnd, SseStreamLink } from "./sse-writer.js";

/**
 * How a stream is written in one client dialect (Anthropic Messages, OpenAI Responses): the text of
 * each batch, of a clean end and of a failure after the commit point. Stateful, one per stream.
 */
export interface DialectWriter {
  /** What one batch becomes ("" for nothing). */
  batch(batch: OutputBatch): string | Buffer;
  /** The end of a complete stream (`doneSent`: the upstream's own end event went out as bytes). */
  done(doneSent: boolean): string;
  /** The in-band error that ends a stream broken after the commit point. */
  error(error: unknown): string;
}

const sseHeaders = {
  "content-type": "text/event-stream; charset=utf-8",
  "cache-control": "no-cache",
  connection: "keep-alive",
  "x-accel-buffering": "no",
};

/**
 * The gateway's side of a stream in a client dialect, as the relay's sink: each batch is one write
 * as it arrives, through the dialect's writer, with backpressure (a full socket pauses the upstream
 * until `drain`); the writer's end at a clean end, its in-band error when the stream broke after
 * the commit point — never a hang, never a clean end for a truncated answer.
 */
class DialectSink implements OutputSink {
  readonly ended: Promise<SseEnd>;
  #resolve!: (end: SseEnd) => void;

  constructor(
    private readonly raw: ServerResponse,
    stream: StreamOutcome,
    private readonly writer: DialectWriter,
    private readonly open: OpenStream | null,
    private readonly link: SseStreamLink | undefined,
    private readonly beforeEnd: (end: SseEnd) => void,
  ) {
    this.ended = new Promise((resolve) => (this.#resolve = resolve));
    raw.on("drain", () => stream.resume());
  }

  write(batch: OutputBatch): boolean {
    const raw = this.raw;
    if (raw.destroyed || this.open?.cut) return true;
    const out = this.writer.batch(batch);
    return out.length === 0 ? true : raw.write(out);
  }

  end(end: RelayEnd): void {
    const { raw, open, link } = this;
    if (open && link) link.streams.delete(open);
    const sse = this.#sseEnd(end);
    this.beforeEnd(sse);
    if (!open?.cut && !raw.destroyed) {
      if (end.type === "done") raw.end(this.writer.done(end.doneSent));
      else if (end.type === "aborted") raw.end();
      else raw.end(this.writer.error(end.error));
    }
    this.#resolve(sse);
  }

  #sseEnd(end: RelayEnd): SseEnd {
    if (this.open?.cut) return { kind: "error", error: new GatewayShutdownError() };
    if (this.raw.destroyed || end.type === "aborted") return { kind: "client_gone" };
    return end.type === "done" ? { kind: "done" } : { kind: "error", error: end.error };
  }
}

/**
 * Writes a committed stream to the client in its dialect (see `DialectSink`); with a `link`, the
 * stream is registered while open (cut at shutdown). `beforeEnd` runs before the last bytes.
 */
export async function writeDialectSse(
  raw: ServerResponse,
  stream: StreamOutcome,
  headers: Record<string, string>,
  writer: DialectWriter,
  beforeEnd: (end: SseEnd) => void,
  link?: SseStreamLink,
): Promise<SseEnd> {
  raw.writeHead(200, { ...sseHeaders, ...headers });
  // Cut at shutdown with the dialect's own error event.
  const open = link
    ? link.streams.add(raw, link.requestId, link.abort, (error) => writer.error(error))
    : null;
  const sink = new DialectSink(raw, stream, writer, open, link, beforeEnd);
  stream.pipe(sink);
  return sink.ended;
}
