import type { ServerResponse } from "node:http";
import { GatewayShutdownError, toOpenAIErrorBody } from "../errors/index.js";
import type { OutputBatch } from "../core/index.js";
import type { OpenStreams } from "./open-streams.js";

/** How a relayed stream ended. */
export type SseEnd = { kind: "done" } | { kind: "error"; error: unknown } | { kind: "client_gone" };

const sseHeaders = {
  "content-type": "text/event-stream; charset=utf-8",
  "cache-control": "no-cache",
  connection: "keep-alive",
  "x-accel-buffering": "no",
};

/** How a stream cut at shutdown ended (its error event was written by the registry). */
function shutdownEnd(): SseEnd {
  return { kind: "error", error: new GatewayShutdownError() };
}

function drained(raw: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      raw.off("drain", done);
      raw.off("close", done);
      resolve();
    };
    raw.on("drain", done);
    raw.on("close", done);
  });
}

/** Links a stream to its server's registry of open streams (cut with an in-band error at shutdown). */
export interface SseStreamLink {
  streams: OpenStreams;
  requestId: string;
  /** Aborts the upstream request (when the stream is cut). */
  abort: () => void;
}

/**
 * Writes a committed stream to the client as OpenAI SSE: each upstream read's bytes as they came
 * when the relay kept them (an OpenAI-compatible upstream), else each chunk's JSON,
 * `data: [DONE]` at a clean end, or one `data: {"error": …}` event and the end of the response when
 * the upstream broke after the commit point — never a hang, never a clean end for a truncated answer.
 * Each upstream batch goes out in one write, and writes made in one tick are corked into one
 * packet; backpressure is honoured. With a `link`, the stream is registered while it is open: at
 * shutdown the registry ends it with a `gateway_shutdown` error event, and this writer stops, and
 * the in-band error event has the configured secrets masked.
 */
export async function writeSse(
  raw: ServerResponse,
  stream: { batches: AsyncIterable<OutputBatch>; readonly doneSent: boolean },
  headers: Record<string, string>,
  beforeEnd: (end: SseEnd) => void,
  link?: SseStreamLink,
): Promise<SseEnd> {
  raw.writeHead(200, { ...sseHeaders, ...headers });
  const open = link ? link.streams.add(raw, link.requestId, link.abort) : null;
  let corked = false;
  const uncork = (): void => {
    corked = false;
    raw.uncork();
  };
  const write = async (text: string | Buffer): Promise<void> => {
    if (!corked) {
      corked = true;
      raw.cork();
      process.nextTick(uncork);
    }
    if (!raw.write(text)) await drained(raw);
  };
  try {
    for await (const batch of stream.batches) {
      if (open?.cut) return finish(shutdownEnd());
      if (raw.destroyed) return finish({ kind: "client_gone" });
      if (batch.raw !== null) {
        await write(batch.raw);
        continue;
      }
      let text = "";
      for (const chunk of batch.events) text += `data: ${chunk.data}\n\n`;
      await write(text);
    }
    if (open?.cut) return finish(shutdownEnd());
    if (raw.destroyed) return finish({ kind: "client_gone" });
    return finish({ kind: "done" }, stream.doneSent ? "" : "data: [DONE]\n\n");
  } catch (error) {
    if (open?.cut) return finish(shutdownEnd());
    if (raw.destroyed) return finish({ kind: "client_gone" });
    const event = link
      ? link.streams.errorEvent(error)
      : `data: ${JSON.stringify(toOpenAIErrorBody(error))}\n\n`;
    return finish({ kind: "error", error }, event);
  }

  function finish(end: SseEnd, last?: string): SseEnd {
    if (open && link) link.streams.delete(open);
    beforeEnd(end);
    if (last !== undefined) raw.end(last);
    return end;
  }
}
