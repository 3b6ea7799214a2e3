import { describe, expect, it } from "vitest";
import { relayState, relayStep, type RelayState } from "../../src/core/relay/relay-step.js";
import { openAIStreamBatch } from "../../src/providers/openai/stream.js";
import { scanOpenAIStreamData } from "../../src/providers/openai/stream-scan.js";
import type { StreamBatch } from "../../src/types/index.js";
import { SseFramer } from "../../src/util/sse-framer.js";
import * as fixtures from "../helpers/chat-fixtures.js";

const sse = (...chunks: object[]): string =>
  chunks.map((chunk) => `data: ${JSON.stringify(chunk)}\n\n`).join("");
const role = fixtures.textStream[0]!;
const [hello, world, dot, stop] = fixtures.textStream.slice(1) as [object, object, object, object];
const usageChunk = fixtures.usageChunk(fixtures.usage(20, 4));

/** One upstream read, framed and scanned as the OpenAI transport does. */
function read(text: string): StreamBatch {
  const batch = openAIStreamBatch(new SseFramer().push(Buffer.from(text))!, scanOpenAIStreamData);
  if (batch === null) throw new Error("no events");
  return batch;
}

/** The same events without their bytes (a translated stream). */
function translated(text: string): StreamBatch {
  const batch = read(text);
  batch.raw = null;
  return batch;
}

function run(state: RelayState, reads: StreamBatch[]) {
  return reads.map((batch) => {
    const step = relayStep(state, batch);
    return { ...step, out: step.out.map((event) => event.data), raw: step.raw?.toString() ?? null };
  });
}

describe("relayStep (pure, per batch)", () => {
  const table: Array<{
    name: string;
    dropUsage?: boolean;
    reads: StreamBatch[];
    expected: Array<{
      out: number;
      raw: "batch" | "held+batch" | null;
      committed: boolean;
      end: string | null;
      malformed?: number;
    }>;
    usage?: object | null;
  }> = [
    {
      name: "a whole stream in one read passes its bytes, commits and ends",
      reads: [read(sse(role, hello, world, dot, stop) + "data: [DONE]\n\n")],
      expected: [{ out: 5, raw: "batch", committed: true, end: "done" }],
    },
    {
      name: "a role chunk alone is held; the first content releases it with both reads' bytes",
      reads: [read(sse(role)), read(sse(hello)), read(sse(world, stop) + "data: [DONE]\n\n")],
      expected: [
        { out: 0, raw: null, committed: false, end: null },
        { out: 2, raw: "held+batch", committed: true, end: null },
        { out: 2, raw: "batch", committed: false, end: "done" },
      ],
    },
    {
      name: "a finish reason without content commits (an empty answer is an answer)",
      reads: [read(sse(role)), read(sse(stop))],
      expected: [
        { out: 0, raw: null, committed: false, end: null },
        { out: 2, raw: "held+batch", committed: true, end: null },
      ],
    },
    {
      name: "dropping the include_usage chunk rebuilds the batch but keeps the usage",
      dropUsage: true,
      reads: [read(sse(role, hello, stop, usageChunk) + "data: [DONE]\n\n")],
      expected: [{ out: 3, raw: null, committed: true, end: "done" }],
      usage: fixtures.usage(20, 4),
    },
    {
      name: "a caller who asked for usage gets the usage chunk in the bytes",
      reads: [read(sse(role, hello, stop, usageChunk))],
      expected: [{ out: 4, raw: "batch", committed: true, end: null }],
      usage: fixtures.usage(20, 4),
    },
    {
      name: "an in-band error before the commit point ends with nothing sent (fails over invisibly)",
      reads: [read(sse(role)), read('data: {"error":{"message":"overloaded","type":"server_error"}}\n\n')],
      expected: [
        { out: 0, raw: null, committed: false, end: null },
        { out: 0, raw: null, committed: false, end: "error" },
      ],
    },
    {
      name: "an in-band error after the commit point sends what came before it, rebuilt",
      reads: [read(sse(role, hello)), read(sse(world) + 'data: {"error":{"message":"cut"}}\n\n' + sse(dot))],
      expected: [
        { out: 2, raw: "batch", committed: true, end: null },
        { out: 1, raw: null, committed: false, end: "error" },
      ],
    },
    {
      name: "a malformed event is skipped and counted, the batch rebuilt",
      reads: [read(sse(role, hello) + "data: {not json\n\n" + sse(world))],
      expected: [{ out: 3, raw: null, committed: true, end: null, malformed: 1 }],
    },
    {
      name: "events after [DONE] in the same read are not forwarded",
      reads: [read(sse(role, hello) + "data: [DONE]\n\n" + sse(world))],
      expected: [{ out: 2, raw: null, committed: true, end: "done" }],
    },
    {
      name: "a translated stream (no bytes) is always built from its chunks",
      reads: [translated(sse(role)), translated(sse(hello, stop))],
      expected: [
        { out: 0, raw: null, committed: false, end: null },
        { out: 3, raw: null, committed: true, end: null },
      ],
    },
    {
      name: "one held read without bytes makes the commit batch rebuilt",
      reads: [translated(sse(role)), read(sse(hello))],
      expected: [
        { out: 0, raw: null, committed: false, end: null },
        { out: 2, raw: null, committed: true, end: null },
      ],
    },
  ];

  for (const row of table) {
    it(row.name, () => {
      const state = relayState(row.dropUsage ?? false);
      const heldBytes: string[] = [];
      const results = run(state, row.reads);
      results.forEach((result, index) => {
        const want = row.expected[index]!;
        const batchBytes = row.reads[index]!.raw?.toString() ?? null;
        expect(result.out).toHaveLength(want.out);
        expect(result.committed).toBe(want.committed);
        expect(result.end === null ? null : (result.end.type as string)).toBe(want.end);
        expect(result.malformed).toBe(want.malformed ?? 0);
        if (want.raw === null) expect(result.raw).toBeNull();
        else if (want.raw === "batch") expect(result.raw).toBe(batchBytes);
        else expect(result.raw).toBe(heldBytes.join("") + batchBytes);
        if (!result.committed && result.out.length === 0 && batchBytes !== null) heldBytes.push(batchBytes);
      });
      if (row.usage !== undefined) expect(state.usage).toEqual(row.usage);
    });
  }

  it("the chunks sent over a whole stream are every chunk once, in order (the usage chunk only when asked)", () => {
    for (const dropUsage of [false, true]) {
      const state = relayState(dropUsage);
      const chunks = [role, hello, world, dot, stop, usageChunk];
      const sent = chunks.flatMap((chunk) =>
        relayStep(state, read(sse(chunk))).out.map((event) => event.data),
      );
      const expected = (dropUsage ? chunks.slice(0, -1) : chunks).map((chunk) => JSON.stringify(chunk));
      expect(sent).toEqual(expected);
      expect(state.finished).toBe(true);
      expect(state.held).toEqual([]);
    }
  });
});
