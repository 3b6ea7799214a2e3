import { describe, expect, it } from "vitest";
import { nestsDeeperThan, parseJsonBody } from "../../src/server/json-body.js";

describe("parseJsonBody", () => {
  it("parses a body and keeps an object's text on the request", () => {
    const request = { llmuxBodyText: null as string | null };
    const text = '{"model":"m","messages":[]}';
    expect(parseJsonBody(Buffer.from(text), 8, request)).toEqual({ model: "m", messages: [] });
    expect(request.llmuxBodyText).toBe(text);
  });

  it("keeps no text for a scalar body, nor without a request", () => {
    const request = { llmuxBodyText: null as string | null };
    expect(parseJsonBody(Buffer.from("42"), 8, request)).toBe(42);
    expect(request.llmuxBodyText).toBeNull();
    expect(parseJsonBody(Buffer.from("[1]"), 8)).toEqual([1]);
  });

  it("refuses an empty body, malformed JSON and nesting deeper than the limit (400)", () => {
    expect(() => parseJsonBody(Buffer.from("  "), 8)).toThrow(expect.objectContaining({ statusCode: 400 }));
    expect(() => parseJsonBody(Buffer.from("{"), 8)).toThrow(expect.objectContaining({ statusCode: 400 }));
    expect(() => parseJsonBody(Buffer.from("[[[1]]]"), 2)).toThrow(/nesting deeper than 2 levels/);
  });

  it("measures nesting without recursion", () => {
    expect(nestsDeeperThan([[1]], 2)).toBe(false);
    expect(nestsDeeperThan([[[1]]], 2)).toBe(true);
    expect(nestsDeeperThan(JSON.parse(`${"[".repeat(5000)}${"]".repeat(5000)}`), 4999)).toBe(true);
  });
});
