import type { ServerResponse } from "node:http";
import { describe, expect, it } from "vitest";
import { SecretRedactor } from "../../src/errors/index.js";
import { OpenStreams } from "../../src/server/open-streams.js";

/** A response that records what was written to it and ends at once. */
function fakeResponse() {
  const written: string[] = [];
  const raw = {
    destroyed: false,
    writableEnded: false,
    once: () => raw,
    end(data: string, done: () => void) {
      written.push(data);
      raw.writableEnded = true;
      done();
      return raw;
    },
  };
  return { raw: raw as unknown as ServerResponse, written };
}

function registry() {
  const warnings: object[] = [];
  const logger = { info() {}, warn: (fields: object) => warnings.push(fields), error() {} };
  return { streams: new OpenStreams(new SecretRedactor(["sk-secret-1"]), logger), warnings };
}

describe("OpenStreams (the registry of SSE responses being written)", () => {
  it("counts what was added and forgets what ended, in any order, once", () => {
    const { streams } = registry();
    const a = streams.add(fakeResponse().raw, "a", () => {});
    const b = streams.add(fakeResponse().raw, "b", () => {});
    const c = streams.add(fakeResponse().raw, "c", () => {});
    expect(streams.size).toBe(3);
    streams.delete(b);
    streams.delete(b);
    expect(streams.size).toBe(2);
    streams.delete(c);
    streams.delete(a);
    expect(streams.size).toBe(0);
    const d = streams.add(fakeResponse().raw, "d", () => {});
    expect(streams.size).toBe(1);
    streams.delete(d);
    expect(streams.size).toBe(0);
  });

  it("cutAll ends every open stream (oldest first) with the shutdown event, aborts it, logs it, and empties", async () => {
    const { streams, warnings } = registry();
    const responses = ["r1", "r2", "r3", "r4"].map(() => fakeResponse());
    const aborted: string[] = [];
    const entries = responses.map((response, index) =>
      streams.add(response.raw, `req-${index + 1}`, () => aborted.push(`req-${index + 1}`)),
    );
    streams.delete(entries[1]!);
    const cut = await streams.cutAll({ graceMs: 500, flushMs: 1000 });
    expect(cut).toBe(3);
    expect(streams.size).toBe(0);
    expect(aborted).toEqual(["req-1", "req-3", "req-4"]);
    expect(warnings.map((w) => (w as { requestId: string }).requestId)).toEqual(["req-1", "req-3", "req-4"]);
    expect(entries.map((entry) => entry.cut)).toEqual([true, false, true, true]);
    expect(responses[1]!.written).toEqual([]);
    for (const index of [0, 2, 3]) {
      const [event] = responses[index]!.written;
      expect(event).toMatch(/^data: \{"error":\{.*"gateway_shutdown".*\}\}\n\n$/);
    }
    // A stream that ends after the cut is forgotten without harm.
    streams.delete(entries[0]!);
    expect(streams.size).toBe(0);
  });
});
