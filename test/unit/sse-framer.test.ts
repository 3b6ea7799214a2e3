import { describe, expect, it } from "vitest";
import { SseFramer } from "../../src/util/sse-framer.js";

const bytes = (text: string): Buffer => Buffer.from(text, "utf8");

describe("SseFramer", () => {
  it("frames one read of whole events and keeps exactly their bytes", () => {
    const framer = new SseFramer();
    const text = 'data: {"a":1}\n\ndata: {"b":2}\n\n';
    const batch = framer.push(bytes(text));
    expect(batch?.messages).toEqual([
      { event: undefined, data: '{"a":1}' },
      { event: undefined, data: '{"b":2}' },
    ]);
    expect(batch?.raw?.toString()).toBe(text);
    expect(framer.end()).toEqual([]);
  });

  it("holds an event split across reads until its blank line, raw bytes cover only complete events", () => {
    const framer = new SseFramer();
    expect(framer.push(bytes('data: {"a":'))).toBeNull();
    const first = framer.push(bytes('1}\n\ndata: {"b"'));
    expect(first?.messages).toEqual([{ event: undefined, data: '{"a":1}' }]);
    expect(first?.raw?.toString()).toBe('data: {"a":1}\n\n');
    const second = framer.push(bytes(":2}\n"));
    expect(second).toBeNull();
    const third = framer.push(bytes("\n"));
    expect(third?.messages).toEqual([{ event: undefined, data: '{"b":2}' }]);
    expect(third?.raw?.toString()).toBe('data: {"b":2}\n\n');
  });

  it("splits a multi-byte character across reads without corrupting it", () => {
    const framer = new SseFramer();
    const whole = bytes('data: {"t":"é😀"}\n\n');
    const cut = whole.indexOf(0xf0) + 2; // inside the 4-byte emoji
    expect(framer.push(whole.subarray(0, cut))).toBeNull();
    const batch = framer.push(whole.subarray(cut));
    expect(batch?.messages[0]?.data).toBe('{"t":"é😀"}');
    expect(Buffer.compare(batch!.raw!, whole)).toBe(0);
  });

  it("reads event names, multi-line data, comments and field lines without a space", () => {
    const framer = new SseFramer();
    const batch = framer.push(
      bytes(': keep-alive\n\nevent: message_start\ndata: {"x":1}\n\nevent:ping\ndata:a\ndata: b\nid: 7\n\n'),
    );
    expect(batch?.messages).toEqual([
      { event: "message_start", data: '{"x":1}' },
      { event: "ping", data: "a\nb" },
    ]);
  });

  it("drops a comment-only block but keeps its bytes in the raw batch", () => {
    const framer = new SseFramer();
    expect(framer.push(bytes(": ping\n\n"))).toBeNull();
    const batch = framer.push(bytes("data: 1\n\n"));
    expect(batch?.messages).toEqual([{ event: undefined, data: "1" }]);
  });

  it("folds extra blank lines between events into the event before them", () => {
    const framer = new SseFramer();
    const batch = framer.push(bytes("data: 1\n\n\n\ndata: 2\n\n"));
    expect(batch?.messages.map((message) => message.data)).toEqual(["1", "2"]);
    expect(batch?.raw?.toString()).toBe("data: 1\n\n\n\ndata: 2\n\n");
  });

  it("delivers an event cut off without its blank line at the end of the stream", () => {
    const framer = new SseFramer();
    expect(framer.push(bytes("data: 1\n\ndata: [DONE]"))?.messages).toHaveLength(1);
    expect(framer.end()).toEqual([{ event: undefined, data: "[DONE]" }]);
    expect(framer.end()).toEqual([]);
  });

  it("switches to eventsource-parser on \\r line ends and then has no raw bytes", () => {
    const framer = new SseFramer();
    const first = framer.push(bytes("data: 1\n\n"));
    expect(first?.raw?.toString()).toBe("data: 1\n\n");
    expect(framer.push(bytes("data: 2"))).toBeNull();
    const second = framer.push(bytes("\r\n\r\nevent: e\r\ndata: 3\r\n\r\n"));
    expect(second).toEqual({
      messages: [
        { event: undefined, data: "2" },
        { event: "e", data: "3" },
      ],
      raw: null,
    });
    expect(framer.push(bytes("data: 4"))).toBeNull();
    expect(framer.end()).toEqual([{ event: undefined, data: "4" }]);
  });

  it("bounds an incomplete event: a larger one throws, in both modes", () => {
    const framer = new SseFramer(64);
    expect(() => framer.push(bytes(`data: ${"x".repeat(100)}`))).toThrow(/larger than 64 bytes/);
    const parsing = new SseFramer(64);
    expect(() => parsing.push(bytes(`data: 1\r\ndata: ${"x".repeat(200)}`))).toThrow();
  });

  it("does not count complete events against the bound", () => {
    const framer = new SseFramer(64);
    const big = `data: ${"y".repeat(500)}\n\n`;
    expect(framer.push(bytes(big))?.messages[0]?.data).toHaveLength(500);
  });
});
