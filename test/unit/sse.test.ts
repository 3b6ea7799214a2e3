import { describe, expect, it } from "vitest";
import { decodeSse, encodeSse, type SseMessage } from "../../src/util/sse.js";

const encoder = new TextEncoder();

async function* fromChunks(chunks: readonly Uint8Array[]): AsyncGenerator<Uint8Array> {
  for (const chunk of chunks) yield chunk;
}

async function decodeAll(chunks: readonly Uint8Array[], maxEventBytes?: number): Promise<SseMessage[]> {
  const out: SseMessage[] = [];
  for await (const batch of decodeSse(fromChunks(chunks), maxEventBytes)) out.push(...batch);
  return out;
}

/** The text as one chunk, as two chunks split at byte `at`, or as one chunk per byte. */
function bytes(text: string): Uint8Array {
  return encoder.encode(text);
}
function splitAt(text: string, at: number): Uint8Array[] {
  const all = bytes(text);
  return [all.slice(0, at), all.slice(at)];
}
function perByte(text: string): Uint8Array[] {
  return [...bytes(text)].map((byte) => Uint8Array.of(byte));
}

const message = (data: string, event?: string): SseMessage => ({ event, data });

describe("decodeSse", () => {
  it.each<[string, string, SseMessage[]]>([
    ["one event", "data: hello\n\n", [message("hello")]],
    ["no space after colon", "data:hello\n\n", [message("hello")]],
    ["only one leading space is stripped", "data:  two\n\n", [message(" two")]],
    [
      "multiple events in one chunk",
      "data: a\n\ndata: b\n\ndata: c\n\n",
      [message("a"), message("b"), message("c")],
    ],
    ["multi-line data joined with LF", "data: line1\ndata: line2\n\n", [message("line1\nline2")]],
    ["event: line", "event: message_start\ndata: {}\n\n", [message("{}", "message_start")]],
    [
      "event name does not leak to the next event",
      "event: ping\ndata: 1\n\ndata: 2\n\n",
      [message("1", "ping"), message("2")],
    ],
    ["comment ignored", ": ping\n\ndata: a\n\n", [message("a")]],
    ["comment inside an event", "data: a\n: keep-alive\ndata: b\n\n", [message("a\nb")]],
    ["OpenRouter processing comment", ": OPENROUTER PROCESSING\n\ndata: x\n\n", [message("x")]],
    ["CRLF line endings", "event: x\r\ndata: a\r\n\r\ndata: b\r\n\r\n", [message("a", "x"), message("b")]],
    ["CR line endings", "data: a\r\rdata: b\r\rdata: c\n\n", [message("a"), message("b"), message("c")]],
    ["event without data is not dispatched", "event: nothing\n\ndata: a\n\n", [message("a")]],
    ["empty data field", "data:\n\n", [message("")]],
    ["id and retry fields ignored", "id: 7\nretry: 1000\ndata: a\n\n", [message("a")]],
    ["blank lines between events", "\n\n\ndata: a\n\n\n\ndata: b\n\n", [message("a"), message("b")]],
    [
      "[DONE] sentinel passes through",
      'data: {"x":1}\n\ndata: [DONE]\n\n',
      [message('{"x":1}'), message("[DONE]")],
    ],
    ["UTF-8 BOM at start", "\uFEFFdata: a\n\n", [message("a")]],
    ["nothing", "", []],
  ])("%s", async (_name, text, expected) => {
    expect(await decodeAll([bytes(text)])).toEqual(expected);
    expect(await decodeAll(perByte(text))).toEqual(expected);
  });

  const multiByte =
    'event: delta\ndata: {"text":"café"}\n\n: ping\n\ndata: {"text":"😀 ok"}\r\n\r\ndata: Ω≈ç√\ndata: 日本語\n\n';
  const multiByteExpected = [
    message('{"text":"café"}', "delta"),
    message('{"text":"😀 ok"}'),
    message("Ω≈ç√\n日本語"),
  ];

  it("the fixture really contains multi-byte characters", () => {
    expect(bytes(multiByte).length).toBeGreaterThan(multiByte.length);
  });

  it.each(Array.from({ length: bytes(multiByte).length + 1 }, (_, at) => at))(
    "split into two chunks at byte %i",
    async (at) => {
      expect(await decodeAll(splitAt(multiByte, at))).toEqual(multiByteExpected);
    },
  );

  it("one chunk per byte (every character split, including inside é and 😀)", async () => {
    expect(await decodeAll(perByte(multiByte))).toEqual(multiByteExpected);
  });

  it("split inside é and inside the emoji at once (three chunks)", async () => {
    const all = bytes(multiByte);
    const eAt = all.indexOf(0xc3) + 1; // between the two bytes of é
    const emojiAt = all.indexOf(0xf0) + 2; // in the middle of the four bytes of 😀
    const chunks = [all.slice(0, eAt), all.slice(eAt, emojiAt), all.slice(emojiAt)];
    expect(await decodeAll(chunks)).toEqual(multiByteExpected);
  });

  it("CRLF split between CR and LF", async () => {
    expect(await decodeAll([bytes("data: a\r"), bytes("\n\r"), bytes("\ndata: b\r\n\r\n")])).toEqual([
      message("a"),
      message("b"),
    ]);
  });

  it("yields events as chunks arrive, before the body ends", async () => {
    const seen: string[] = [];
    async function* body(): AsyncGenerator<Uint8Array> {
      seen.push("chunk1");
      yield bytes("data: one\n\n");
      seen.push("chunk2");
      yield bytes("data: two\n\n");
    }
    for await (const batch of decodeSse(body())) for (const event of batch) seen.push(event.data);
    expect(seen).toEqual(["chunk1", "one", "chunk2", "two"]);
  });

  it("an event that is never terminated is not yielded early", async () => {
    const out: string[] = [];
    const iterator = decodeSse(fromChunks([bytes("data: a\n\ndata: b\n")]))[Symbol.asyncIterator]();
    const first = await iterator.next();
    if (!first.done) out.push(...first.value.map((m) => m.data));
    expect(out).toEqual(["a"]);
  });

  // A final event that lacks its trailing blank line is still delivered when the stream ends.
  it.each<[string, string]>([
    ["final event without trailing blank line", "data: a\n\ndata: b\n"],
    ["final event without any trailing newline", "data: a\n\ndata: b"],
    ["final event ending with CR CR", "data: a\r\rdata: b\r\r"],
  ])("%s is yielded", async (_name, text) => {
    expect(await decodeAll([bytes(text)])).toEqual([message("a"), message("b")]);
  });

  it("oversized incomplete event throws (small maxEventBytes)", async () => {
    const big = `data: ${"x".repeat(100)}`;
    await expect(decodeAll([bytes(big)], 50)).rejects.toMatchObject({
      type: "max-buffer-size-exceeded",
    });
  });

  it("oversized event growing across chunks throws", async () => {
    const chunks = [bytes("data: a\n\ndata: "), ...Array.from({ length: 10 }, () => bytes("y".repeat(10)))];
    const seen: string[] = [];
    await expect(
      (async () => {
        for await (const batch of decodeSse(fromChunks(chunks), 64)) seen.push(...batch.map((m) => m.data));
      })(),
    ).rejects.toThrow(/max buffer size of 64/);
    expect(seen).toEqual(["a"]);
  });

  it("oversized multi-line event throws", async () => {
    const lines = Array.from({ length: 20 }, (_, index) => `data: line-${index}\n`).join("");
    await expect(decodeAll([bytes(lines)], 64)).rejects.toThrow(/max buffer size/);
  });

  it("events under the limit pass", async () => {
    const text = `data: ${"x".repeat(40)}\n\ndata: ${"y".repeat(40)}\n\n`;
    expect(await decodeAll(perByte(text), 50)).toEqual([message("x".repeat(40)), message("y".repeat(40))]);
  });
});

describe("encodeSse", () => {
  it.each<[string, string | undefined, string]>([
    ['{"a":1}', undefined, 'data: {"a":1}\n\n'],
    ["[DONE]", undefined, "data: [DONE]\n\n"],
    ["{}", "message_start", "event: message_start\ndata: {}\n\n"],
    ["", undefined, "data: \n\n"],
  ])("encodeSse(%j, %j)", (data, event, expected) => {
    expect(event === undefined ? encodeSse(data) : encodeSse(data, event)).toBe(expected);
  });

  it("round-trips through decodeSse", async () => {
    const text = encodeSse('{"t":"é😀"}') + encodeSse("x", "ping") + encodeSse("[DONE]");
    expect(await decodeAll(perByte(text))).toEqual([
      message('{"t":"é😀"}'),
      message("x", "ping"),
      message("[DONE]"),
    ]);
  });
});
