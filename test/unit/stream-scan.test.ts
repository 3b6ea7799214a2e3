import { describe, expect, it } from "vitest";
import { framedAsObject, scanUsage } from "../../src/providers/openai/response-scan.js";
import { scanOpenAIStreamData } from "../../src/providers/openai/stream-scan.js";
import { mapOpenAIStreamData } from "../../src/providers/openai/stream.js";
import * as fixtures from "../helpers/chat-fixtures.js";

const streams = {
  textStream: fixtures.textStream,
  textThenToolStream: fixtures.textThenToolStream,
  parallelToolStream: fixtures.parallelToolStream,
  interleavedToolStream: fixtures.interleavedToolStream,
  wholeCallsStream: fixtures.wholeCallsStream,
  reasoningStream: fixtures.reasoningStream,
  lengthStream: fixtures.lengthStream,
  emptyStream: fixtures.emptyStream,
};

/** What the relay reads of an event (the scanner does not keep the parsed chunk). */
function summary(event: ReturnType<typeof mapOpenAIStreamData>) {
  if (event.type !== "chunk") return event;
  const { chunk: _parsed, ...rest } = event;
  return rest;
}

describe("scanOpenAIStreamData (the relay's view of a chunk without parsing it)", () => {
  for (const [name, chunks] of Object.entries(streams)) {
    it(`agrees with the full parse on every chunk of ${name}, compact and pretty-printed`, () => {
      for (const chunk of chunks) {
        for (const data of [JSON.stringify(chunk), JSON.stringify(chunk, null, 1).replace(/\n/g, "")]) {
          expect(scanOpenAIStreamData(data)).toEqual(summary(mapOpenAIStreamData(data)));
        }
      }
    });
  }

  it("finds the commit point: content, tool calls, refusal, a function call; not an empty role chunk", () => {
    const base = { id: "c", object: "chat.completion.chunk", choices: [{ index: 0, finish_reason: null }] };
    const withDelta = (delta: object) =>
      JSON.stringify({ ...base, choices: [{ index: 0, delta, finish_reason: null }] });
    expect(scanOpenAIStreamData(withDelta({ role: "assistant", content: "" }))).toMatchObject({
      content: false,
    });
    expect(scanOpenAIStreamData(withDelta({ content: "x" }))).toMatchObject({ content: true });
    expect(scanOpenAIStreamData(withDelta({ tool_calls: [] }))).toMatchObject({ content: false });
    expect(scanOpenAIStreamData(withDelta({ tool_calls: [{ index: 0 }] }))).toMatchObject({ content: true });
    expect(scanOpenAIStreamData(withDelta({ refusal: "no" }))).toMatchObject({ content: true });
    expect(scanOpenAIStreamData(withDelta({ function_call: { name: "f" } }))).toMatchObject({
      content: true,
    });
  });

  it("is not fooled by keys inside string values (escaped quotes)", () => {
    const data = JSON.stringify({
      choices: [{ index: 0, delta: { role: "assistant", content: "" }, finish_reason: null }],
      note: '"content":"x","finish_reason":"stop","usage":{"total_tokens":9}',
    });
    expect(scanOpenAIStreamData(data)).toMatchObject({ content: false, finishReason: null, usage: null });
  });

  it("skips a key's name used as a string value and finds the key after it", () => {
    const data = JSON.stringify({
      type: "content",
      kind: "finish_reason",
      label: "usage",
      choices: [{ index: 0, delta: { content: "x" }, finish_reason: "stop" }],
      usage: { total_tokens: 3 },
    });
    expect(scanOpenAIStreamData(data)).toMatchObject({
      type: "chunk",
      content: true,
      finishReason: "stop",
      usage: { total_tokens: 3 },
    });
  });

  it("does not take a longer key ending in a key's name for that key", () => {
    const data =
      '{"choices":[{"index":0,"delta":{"my_content":"x","content":""},"final_finish_reason":"x","finish_reason":null}],"prior_usage":{"total_tokens":1}}';
    expect(scanOpenAIStreamData(data)).toMatchObject({ content: false, finishReason: null, usage: null });
  });

  it("tolerates spaces and tabs around the colon", () => {
    const data =
      '{"choices" : [ {"index":0,"delta":{"content" :\t"hi"},"finish_reason"\t: "length"}],"usage" : {"total_tokens":5}}';
    expect(scanOpenAIStreamData(data)).toMatchObject({
      content: true,
      finishReason: "length",
      usage: { total_tokens: 5 },
      usageOnly: false,
    });
  });

  it("takes the full parse for an error key anywhere, not for the word inside text", () => {
    const inText = JSON.stringify(fixtures.chunk({ content: 'an "error" happened' }));
    expect(scanOpenAIStreamData(inText)).toMatchObject({ type: "chunk", content: true });
    expect(
      scanOpenAIStreamData('{"id":"x", "error" : {"message":"boom","type":"server_error"}}'),
    ).toMatchObject({
      type: "error",
      message: "boom",
    });
  });

  it("reads the include_usage chunk (empty choices) and usage on a content chunk", () => {
    const used = fixtures.usage(10, 3);
    expect(scanOpenAIStreamData(JSON.stringify(fixtures.usageChunk(used)))).toMatchObject({
      usage: used,
      usageOnly: true,
    });
    const both = JSON.stringify({ ...fixtures.chunk({ content: "a" }, "stop"), usage: used });
    expect(scanOpenAIStreamData(both)).toMatchObject({
      content: true,
      finishReason: "stop",
      usage: used,
      usageOnly: false,
    });
  });

  it("[DONE], in-band errors and non-objects", () => {
    expect(scanOpenAIStreamData("[DONE]")).toEqual({ type: "done" });
    expect(scanOpenAIStreamData('{"error":{"message":"overloaded","type":"server_error"}}')).toMatchObject({
      type: "error",
      errorType: "server_error",
      message: "overloaded",
    });
    for (const data of ["", "x", "[]", '"s"', "{", "{}x"])
      expect(scanOpenAIStreamData(data).type).toBe("malformed");
  });
});

describe("scanUsage / framedAsObject (non-streaming bodies forwarded as bytes)", () => {
  it("reads the usage of every fixture completion, as JSON.parse would", () => {
    for (const completion of [
      fixtures.textCompletion,
      fixtures.toolCompletion,
      fixtures.reasoningCompletion,
      fixtures.lengthCompletion,
    ]) {
      const raw = Buffer.from(JSON.stringify(completion, null, 2));
      expect(scanUsage(raw)).toEqual(completion.usage);
      expect(framedAsObject(raw)).toBe(true);
    }
  });

  it("ignores usage mentioned inside the answer text and is null without usage", () => {
    const body = {
      choices: [{ message: { content: 'say "usage": {"total_tokens": 1}' } }],
      usage: { total_tokens: 42 },
    };
    expect(scanUsage(Buffer.from(JSON.stringify(body)))).toEqual({ total_tokens: 42 });
    const none = { choices: [{ message: { content: 'the "usage" key' } }] };
    expect(scanUsage(Buffer.from(JSON.stringify(none)))).toBeNull();
    expect(scanUsage(Buffer.from('{"usage":{"total_tokens":'))).toBeNull();
    expect(scanUsage(new Uint8Array(Buffer.from('{"usage":{"total_tokens":7}}')))).toEqual({
      total_tokens: 7,
    });
  });

  it("framedAsObject: whitespace around one object is fine, anything else is not", () => {
    expect(framedAsObject(Buffer.from(' \n{"a":1}\r\n'))).toBe(true);
    expect(framedAsObject(Buffer.from("[1]"))).toBe(false);
    expect(framedAsObject(Buffer.from('{"a":1'))).toBe(false);
    expect(framedAsObject(Buffer.from(""))).toBe(false);
    expect(framedAsObject(Buffer.from("<html>{}</html>"))).toBe(false);
  });
});
