import type { ServerResponse } from "node:http";
import type { OutputBatch, OutputSink, RelayEnd, StreamOutcome } from "../core/index.js";
import { GatewayShutdownError, toOpenAIErrorBody } from "../errors/index.js";
import type { Usage } from "../types/index.js";
import type { OpenStream, OpenStreams } from "./open-streams.js";

/** How a relayed stream ended. */
export type SseEnd = { kind: "done" } | { kind: "error"; error: unknown } | { kind: "client_gone" };

const sseHeaders = {
  "content-type": "text/event-stream; charset=utf-8",
  "cache-control": "no-cache",
  connection: "keep-alive",
  "x-accel-buffering": "no",
};

/** Links a stream to its server's registry of open streams (cut with an in-band error at shutdown). */
export interface SseStreamLink {
  streams: OpenStreams;
  requestId: string;
  /** Aborts the upstream request (when the stream is cut). */
  abort: () => void;
}

/** The text of a batch that is not forwarded as its bytes. */
function textOf(batch: OutputBatch): string {
  let text = "";
  for (const chunk of batch.events) text += `data: ${chunk.data}\n\n`;
  return text;
}

/** The chunk's JSON with `usage.cost_usd` added (the stream's final usage, issue 13); as it was when unparsable. */
function withCost(data: string, usd: number): string {
  try {
    const chunk = JSON.parse(data) as { usage?: Record<string, unknown> | null };
    if (chunk.usage === null || typeof chunk.usage !== "object") return data;
    chunk.usage.cost_usd = Number(usd.toFixed(9));
    return JSON.stringify(chunk);
  } catch {
    return data;
  }
}

/** A batch with a usage chunk, its cost written into that chunk's `usage`. */
function pricedText(batch: OutputBatch, usageCost: (usage: Usage) => number | null): string | null {
  let priced = false;
  let text = "";
  for (const chunk of batch.events) {
    const usd = chunk.usage ? usageCost(chunk.usage) : null;
    if (usd !== null) priced = true;
    text += `data: ${usd === null ? chunk.data : withCost(chunk.data, usd)}\n\n`;
  }
  return priced ? text : null;
}

/**
 * The gateway's side of a stream, as the relay's sink: each batch is one write as it arrives (an
 * OpenAI-compatible upstream's bytes as they came, else each chunk's JSON as `data:` events), with
 * backpressure (a full socket pauses the upstream until `drain`); `data: [DONE]` at a clean end
 * (unless the upstream's own went out), one `data: {"error": …}` event and the end of the response
 * when the stream broke after the commit point — never a hang, never a clean end for a truncated
 * answer.
 */
class SseSink implements OutputSink {
  readonly ended: Promise<SseEnd>;
  #resolve!: (end: SseEnd) => void;

  constructor(
    private readonly raw: ServerResponse,
    stream: StreamOutcome,
    private readonly open: OpenStream | null,
    private readonly link: SseStreamLink | undefined,
    private readonly beforeEnd: (end: SseEnd) => void,
    private readonly usageCost: ((usage: Usage) => number | null) | null = null,
  ) {
    this.ended = new Promise((resolve) => (this.#resolve = resolve));
    raw.on("drain", () => stream.resume());
  }

  write(batch: OutputBatch): boolean {
    const raw = this.raw;
    if (raw.destroyed || this.open?.cut) return true;
    if (this.usageCost !== null && batch.events.some((chunk) => chunk.usage !== null)) {
      const text = pricedText(batch, this.usageCost);
      if (text !== null) return raw.write(text);
    }
    return batch.raw !== null ? raw.write(batch.raw) : raw.write(textOf(batch));
  }

  end(end: RelayEnd): void {
    const { raw, open, link } = this;
    if (open && link) link.streams.delete(open);
    const sse = this.#sseEnd(end);
    // The note is complete before the last bytes go out (the log line is written when they do).
    this.beforeEnd(sse);
    if (!open?.cut && !raw.destroyed) {
      if (end.type === "done") raw.end(end.doneSent ? undefined : "data: [DONE]\n\n");
      else if (end.type === "aborted") raw.end();
      else
        raw.end(
          link
            ? link.streams.errorEvent(end.error)
            : `data: ${JSON.stringify(toOpenAIErrorBody(end.error))}\n\n`,
        );
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
 * Writes a committed stream to the client as OpenAI SSE (see `SseSink`). With a `link`, the stream
 * is registered while it is open: at shutdown the registry ends it with a `gateway_shutdown` error
 * event and this writer stops; the in-band error event has the configured secrets masked.
 * `beforeEnd` runs before the response's last bytes are written (the log line is written when the
 * response finishes).
 */
export async function writeSse(
  raw: ServerResponse,
  stream: StreamOutcome,
  headers: Record<string, string>,
  beforeEnd: (end: SseEnd) => void,
  link?: SseStreamLink,
  /** Prices a usage chunk the caller receives: its `usage` gets `cost_usd` (absent: sent as it came). */
  usageCost?: ((usage: Usage) => number | null) | null,
): Promise<SseEnd> {
  raw.writeHead(200, { ...sseHeaders, ...headers });
  const open = link ? link.streams.add(raw, link.requestId, link.abort) : null;
  const sink = new SseSink(raw, stream, open, link, beforeEnd, usageCost ?? null);
  stream.pipe(sink);
  return sink.ended;
}
