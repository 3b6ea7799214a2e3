import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { request as undiciRequest } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OutputBatch, OutputSink, RelayEnd, StreamOutcome } from "../../src/core/index.js";
import type { StreamChunkEvent } from "../../src/types/index.js";
import { AbortedError, SecretRedactor, StreamInterruptedError } from "../../src/errors/index.js";
import { OpenStreams } from "../../src/server/open-streams.js";
import { writeSse, type SseEnd } from "../../src/server/sse-writer.js";
import { MemoryLogger } from "../helpers/gateway.js";

/** A stream outcome that plays a script into the sink the writer gives it. */
class ScriptedStream {
  resumed = 0;
  writes: boolean[] = [];
  sink: OutputSink | null = null;
  #onResume: (() => void) | null = null;

  constructor(private readonly script: (stream: ScriptedStream) => Promise<void> | void) {}

  pipe(sink: OutputSink): void {
    this.sink = sink;
    void this.script(this);
  }

  write(batch: OutputBatch): boolean {
    const ok = this.sink!.write(batch);
    this.writes.push(ok);
    return ok;
  }

  end(end: RelayEnd): void {
    this.sink!.end(end);
  }

  resume(): void {
    this.resumed += 1;
    this.#onResume?.();
  }

  waitForResume(): Promise<void> {
    return new Promise((resolve) => (this.#onResume = resolve));
  }

  asOutcome(): StreamOutcome {
    return this as unknown as StreamOutcome;
  }
}

const chunk = (data: string): StreamChunkEvent => ({
  type: "chunk",
  data,
  content: true,
  finishReason: null,
  usage: null,
  usageOnly: false,
});

let server: Server;
let origin: string;
let handler: (response: ServerResponse) => void = () => undefined;

beforeAll(async () => {
  server = createServer((_request, response) => handler(response));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

/** Serves one stream through `writeSse` and reads it as a client. */
async function serve(
  stream: ScriptedStream,
  link?: (response: ServerResponse) => Parameters<typeof writeSse>[4],
): Promise<{ status: number; headers: Record<string, unknown>; text: string; end: SseEnd; notes: string[] }> {
  const notes: string[] = [];
  let ended!: Promise<SseEnd>;
  handler = (response) => {
    ended = writeSse(
      response,
      stream.asOutcome(),
      { "x-request-id": "req_1" },
      (end) => notes.push(`beforeEnd ${end.kind} written=${response.writableEnded}`),
      link?.(response),
    );
  };
  const response = await undiciRequest(`${origin}/`);
  const text = await response.body.text();
  return { status: response.statusCode, headers: response.headers, text, end: await ended, notes };
}

describe("writeSse (the gateway's stream sink)", () => {
  it("writes raw batches byte for byte, adds [DONE] at a clean end, sends SSE headers", async () => {
    const stream = new ScriptedStream((s) => {
      s.write({ events: [chunk('{"a":1}')], raw: Buffer.from('data: {"a":1}\n\n') });
      s.write({ events: [chunk('{"b":2}')], raw: Buffer.from('data:{"b":2}\n\n') });
      s.end({ type: "done", doneSent: false });
    });
    const { status, headers, text, end, notes } = await serve(stream);
    expect(status).toBe(200);
    expect(headers["content-type"]).toBe("text/event-stream; charset=utf-8");
    expect(headers["cache-control"]).toBe("no-cache");
    expect(headers["x-accel-buffering"]).toBe("no");
    expect(headers["x-request-id"]).toBe("req_1");
    expect(text).toBe('data: {"a":1}\n\ndata:{"b":2}\n\ndata: [DONE]\n\n');
    expect(end).toEqual({ kind: "done" });
    expect(notes).toEqual(["beforeEnd done written=false"]);
  });

  it("does not repeat [DONE] when the upstream's own went out in a raw batch", async () => {
    const stream = new ScriptedStream((s) => {
      s.write({ events: [chunk("{}")], raw: Buffer.from("data: {}\n\ndata: [DONE]\n\n") });
      s.end({ type: "done", doneSent: true });
    });
    const { text } = await serve(stream);
    expect(text).toBe("data: {}\n\ndata: [DONE]\n\n");
  });

  it("writes translated batches (no raw bytes) as one data: event per chunk", async () => {
    const stream = new ScriptedStream((s) => {
      s.write({ events: [chunk('{"x":1}'), chunk('{"x":2}')], raw: null });
      s.end({ type: "done", doneSent: false });
    });
    expect((await serve(stream)).text).toBe('data: {"x":1}\n\ndata: {"x":2}\n\ndata: [DONE]\n\n');
  });

  it("ends a broken stream with one in-band error event and no [DONE], secrets masked", async () => {
    const secret = "sk-upstream-secret-0123456789";
    const streams = new OpenStreams(new SecretRedactor([secret]), new MemoryLogger());
    const stream = new ScriptedStream((s) => {
      s.write({ events: [chunk('{"a":1}')], raw: null });
      s.end({
        type: "error",
        error: new StreamInterruptedError(`cut while using ${secret}`, "network", "d1"),
      });
    });
    const { text, end } = await serve(stream, () => ({
      streams,
      requestId: "req_1",
      abort: () => undefined,
    }));
    expect(text).not.toContain("[DONE]");
    expect(text).not.toContain(secret);
    const events = text.split("\n\n").filter(Boolean);
    expect(events).toHaveLength(2);
    const error = JSON.parse(events[1]!.slice("data: ".length)) as {
      error: { message: string; type: string };
    };
    expect(error.error.message).toMatch(/^cut while using /);
    expect(end.kind).toBe("error");
    expect(streams.size).toBe(0);
  });

  it("pauses on a full socket and resumes the stream on drain", async () => {
    const big = Buffer.alloc(16 * 1024 * 1024, 97);
    const stream = new ScriptedStream(async (s) => {
      const ok = s.write({ events: [chunk("big")], raw: big });
      if (!ok) await s.waitForResume();
      s.end({ type: "done", doneSent: false });
    });
    const { text } = await serve(stream);
    expect(stream.writes).toEqual([false]);
    expect(stream.resumed).toBeGreaterThanOrEqual(1);
    expect(text.length).toBe(big.length + "data: [DONE]\n\n".length);
  });

  it("reports a client that went away, and ends an aborted stream without writing more", async () => {
    let gone!: () => void;
    const clientGone = new Promise<void>((resolve) => (gone = resolve));
    const stream = new ScriptedStream(async (s) => {
      s.write({ events: [chunk("{}")], raw: Buffer.from("data: {}\n\n") });
      await clientGone;
      s.end({ type: "aborted", error: new AbortedError() });
    });
    let ended!: Promise<SseEnd>;
    handler = (response) => {
      response.on("close", () => gone());
      ended = writeSse(response, stream.asOutcome(), {}, () => undefined);
    };
    const controller = new AbortController();
    const response = await undiciRequest(`${origin}/`, { signal: controller.signal });
    const reader = response.body[Symbol.asyncIterator]();
    expect(String((await reader.next()).value)).toBe("data: {}\n\n");
    controller.abort();
    expect(await ended).toEqual({ kind: "client_gone" });
  });
});
