import type { IncomingMessage } from "node:http";
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { BodyReader } from "../../src/server/body-reader.js";

function incoming(length?: number): IncomingMessage & PassThrough {
  const stream = new PassThrough() as unknown as IncomingMessage & PassThrough;
  Object.assign(stream, { headers: length === undefined ? {} : { "content-length": String(length) } });
  return stream;
}

function result(reader: BodyReader<string>, stream: IncomingMessage, context: string) {
  return new Promise<{ error: Error | null; value?: unknown }>((resolve) =>
    reader.read(stream, (error, value) => resolve({ error, value }), context),
  );
}

const limits = { maxBytes: 16, idleTimeoutMs: 0, readTimeoutMs: 0 };

describe("BodyReader", () => {
  it("joins the chunks of a body and hands them, with the context, to the parser", async () => {
    const seen: Array<[string, string]> = [];
    const reader = new BodyReader<string>(limits, (body, context) => {
      seen.push([body.toString(), context]);
      return body.length;
    });
    const stream = incoming();
    const done = result(reader, stream, "ctx");
    stream.write("abc");
    stream.write("def");
    stream.end();
    expect(await done).toEqual({ error: null, value: 6 });
    expect(seen).toEqual([["abcdef", "ctx"]]);
    expect(reader.pending).toBe(0);
    // Its listeners are gone: later events do nothing.
    expect(stream.listenerCount("data")).toBe(0);
  });

  it("refuses a body larger than maxBytes, declared or read (413)", async () => {
    const reader = new BodyReader<string>(limits, () => null);
    const declared = await result(reader, incoming(100), "a");
    expect(declared.error).toMatchObject({ statusCode: 413 });
    const stream = incoming();
    const done = result(reader, stream, "b");
    stream.write("x".repeat(20));
    expect((await done).error).toMatchObject({ statusCode: 413 });
    expect(reader.pendingBytes).toBe(0);
  });

  it("reports a client that went away before the end (400, connection closed)", async () => {
    const reader = new BodyReader<string>(limits, () => null);
    const stream = incoming();
    const done = result(reader, stream, "c");
    stream.write("ab");
    stream.emit("close");
    expect((await done).error).toMatchObject({ statusCode: 400, closeConnection: true });
  });

  it("passes the parser's error on", async () => {
    const reader = new BodyReader<string>(limits, () => {
      throw new Error("bad");
    });
    const stream = incoming();
    const done = result(reader, stream, "d");
    stream.end("x");
    expect((await done).error?.message).toBe("bad");
  });
});
