import { describe, expect, it } from "vitest";
import { createWrappedInputDecoder, unwrapCustomInput } from "../../../src/providers/openai/index.js";
import { patch } from "./fixtures/codex.js";

function decode(fragments: readonly string[]): { pieces: string[]; matched: boolean; decoded: string } {
  const decoder = createWrappedInputDecoder();
  const pieces = fragments.map((fragment) => decoder.push(fragment));
  return { pieces, matched: decoder.matched, decoded: decoder.decoded };
}

describe("createWrappedInputDecoder", () => {
  it("decodes the input string fragment by fragment, escapes split across fragments", () => {
    expect(decode(['{"in', 'put": "a\\', 'nb\\"c\\\\', "d\\t", '"}'])).toEqual({
      pieces: ["", "a", '\nb"c\\', "d\t", ""],
      matched: true,
      decoded: 'a\nb"c\\d\t',
    });
  });

  it("handles \\u escapes split anywhere, and holds a surrogate pair until both halves are in", () => {
    const result = decode(['{"input":"caf\\u00', "e9 \\ud83d", "\\ude00", '!"}']);
    expect(result.pieces).toEqual(["caf", "é ", "😀", "!"]);
    expect(result.decoded).toBe("café 😀!");
  });

  it("allows whitespace between tokens, stops at the closing quote", () => {
    expect(decode([' {\n  "input" :  "x"', ', "other": "y"}']).decoded).toBe("x");
  });

  it("does not match other shapes (another key first, a bare string, an array)", () => {
    for (const text of ['{"patch":"x"}', '"x"', '["x"]', '{"inputs":"x"}']) {
      expect(decode([text])).toMatchObject({ matched: false, decoded: "" });
    }
  });

  it("a whole Codex patch, one character at a time, decodes to the patch", () => {
    expect(decode([...JSON.stringify({ input: patch })]).decoded).toBe(patch);
  });
});

describe("unwrapCustomInput", () => {
  it.each([
    ["wrapped", JSON.stringify({ input: patch }), patch],
    ["a bare JSON string", JSON.stringify("raw text"), "raw text"],
    ["cut short", '{"input":"*** Begin Pa', "*** Begin Pa"],
    ["another key", '{"patch":"x"}', '{"patch":"x"}'],
    ["not JSON", "*** Begin Patch", "*** Begin Patch"],
    ["empty", "", ""],
  ])("%s", (_name, args, expected) => {
    expect(unwrapCustomInput(args)).toBe(expected);
  });
});
