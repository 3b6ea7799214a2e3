import type { ServerResponse } from "node:http";
import { toOpenAIErrorBody } from "../errors/index.js";
import type { StreamChunkEvent } from "../types/index.js";

/** How a relayed stream ended. */
export type SseEnd = { kind: "done" } | { kind: "error"; error: unknown } | { kind: "client_gone" };

const sseHeaders = {
  "content-type": "text/event-stream; charset=utf-8",
  "cache-control": "no-cache",
  connection: "keep-alive",
  "x-accel-buffering": "no",
};

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

/**
 * Writes a committed stream to the client as OpenAI SSE: each upstream chunk's JSON as it came,
 * `data: [DONE]` at a clean end, or one `data: {"error": …}` event and the end of the response when
 * the upstream broke after the commit point — never a hang, never a clean end for a truncated answer.
 * Each upstream batch goes out in one write, and writes made in one tick are corked into one
 * packet; backpressure is honoured.
 */
export async function writeSse(
  raw: ServerResponse,
  batches: AsyncIterable<readonly StreamChunkEvent[]>,
  headers: Record<string, string>,
  beforeEnd: (end: SseEnd) => void,
): Promise<SseEnd> {
  raw.writeHead(200, { ...sseHeaders, ...headers });
  let corked = false;
  const uncork = (): void => {
    corked = false;
    raw.uncork();
  };
  const write = async (text: string): Promise<void> => {
    if (!corked) {
      corked = true;
      raw.cork();
      process.nextTick(uncork);
    }
    if (!raw.write(text)) await drained(raw);
  };
  try {
    for await (const batch of batches) {
      if (raw.destroyed) return finish({ kind: "client_gone" });
      let text = "";
      for (const chunk of batch) text += `data: ${chunk.data}\n\n`;
      await write(text);
    }
    if (raw.destroyed) return finish({ kind: "client_gone" });
    return finish({ kind: "done" }, "data: [DONE]\n\n");
  } catch (error) {
    if (raw.destroyed) return finish({ kind: "client_gone" });
    return finish({ kind: "error", error }, `data: ${JSON.stringify(toOpenAIErrorBody(error))}\n\n`);
  }

  function finish(end: SseEnd, last?: string): SseEnd {
    beforeEnd(end);
    if (last !== undefined) raw.end(last);
    return end;
  }
}
