import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  createChunkSegmenter,
  type SegmentEvent,
} from "../../../src/providers/openai/responses/chunk-segments.js";

function read(path: string): string {
  return readFileSync(new URL(`../../../src/providers/${path}`, import.meta.url), "utf8");
}

function summary(events: readonly SegmentEvent[]): string[] {
  return events.map((event) => {
    const { kind, toolIndex, ordinal } = event.segment;
    const name = kind === "tool" ? `tool${toolIndex}` : kind;
    return event.type === "delta" ? `${name}#${ordinal} +${event.text}` : `${event.type} ${name}#${ordinal}`;
  });
}

function call(index: number, args: string, name?: string): unknown {
  const fn = name === undefined ? { arguments: args } : { name, arguments: args };
  return { tool_calls: [{ index, ...(name === undefined ? {} : { id: `c${index}` }), function: fn }] };
}

describe("createChunkSegmenter", () => {
  it("is one file kept in two folders (a provider may not import another)", () => {
    expect(read("openai/responses/chunk-segments.ts")).toBe(read("anthropic/inbound/chunk-segments.ts"));
  });

  it("streams sequential runs and opens the next as soon as the open one can close", () => {
    const segmenter = createChunkSegmenter();
    const events = [
      { reasoning_content: "hm" },
      { content: "Hi" },
      call(0, '{"a":1}', "f"),
      call(1, "{", "g"),
      { content: "late text" },
      call(1, "}"),
    ].flatMap((delta) => summary(segmenter.push(delta)));
    expect([...events, ...summary(segmenter.end())]).toEqual([
      "open reasoning#0",
      "reasoning#0 +hm",
      "close reasoning#0",
      "open text#1",
      "text#1 +Hi",
      "close text#1",
      "open tool0#2",
      'tool0#2 +{"a":1}',
      "close tool0#2",
      "open tool1#3",
      "tool1#3 +{",
      "tool1#3 +}",
      "close tool1#3",
      "open text#4",
      "text#4 +late text",
      "close text#4",
    ]);
  });

  it("buffers a call without a name until it has one; drops fragments of a closed call; ignores pushes after end", () => {
    const segmenter = createChunkSegmenter();
    const events = [
      { tool_calls: [{ index: 0, id: "c0", function: { arguments: "{}" } }] },
      { tool_calls: [{ index: 0, function: { name: "late_name" } }] },
      call(1, "{}", "g"),
      call(0, " "),
    ].flatMap((delta) => summary(segmenter.push(delta)));
    expect(events).toEqual(["open tool0#0", "tool0#0 +{}", "close tool0#0", "open tool1#1", "tool1#1 +{}"]);
    expect(summary(segmenter.end())).toEqual(["close tool1#1"]);
    expect(segmenter.push({ content: "x" })).toEqual([]);
    expect(segmenter.end()).toEqual([]);
  });

  it("reads reasoning_content before reasoning, and refusals", () => {
    const segmenter = createChunkSegmenter();
    const events = summary(segmenter.push({ reasoning_content: "a", reasoning: "a", refusal: "no" }));
    expect(events).toEqual([
      "open reasoning#0",
      "reasoning#0 +a",
      "close reasoning#0",
      "open refusal#1",
      "refusal#1 +no",
    ]);
  });
});
