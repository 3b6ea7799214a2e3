import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/index.js";
import { issuesOf } from "./issues.js";

const parse = (text: string) => () => parseConfig(text, { file: "llmux.yaml", env: {} });

/** Issues as `line:column message`. */
function places(text: string): string[] {
  return issuesOf(parse(text)).map((issue) => `${issue.line}:${issue.column} ${issue.message}`);
}

describe("YAML indentation mistakes point at the line that is wrong", () => {
  it("a key indented deeper than its siblings (the parser blames the line above)", () => {
    const text = [
      "providers:",
      "  - id: groq-1",
      "    type: groq",
      "      api_key: gsk-test", // line 4: two spaces too many
      "    models: [m]",
      "",
    ].join("\n");
    expect(places(text)).toEqual([
      '4:7 YAML indentation error: "api_key" is indented deeper than the line above it; keys of one map must start at the same column',
    ]);
  });

  it("a key indented less than the keys of its list item, without follow-on errors", () => {
    const text = [
      "providers:",
      "  - id: groq-1",
      "    type: groq",
      "   api_key: gsk-test", // line 4: one space short
      "    models: [m]",
      "",
    ].join("\n");
    expect(places(text)).toEqual([
      '4:4 YAML indentation error: "api_key" does not line up with the keys of the list item above it',
    ]);
  });

  it("a key of a map out of line with the keys above it", () => {
    const text = ["server:", "  port: 4000", "  auth:", "    keys: [a]", "     public_status: true", ""].join(
      "\n",
    );
    expect(places(text)).toEqual([
      '5:6 YAML indentation error: "public_status" does not line up with the keys above it; keys of one map must start at the same column',
    ]);
  });

  it("two mistakes in one file are both reported, each at its line", () => {
    const text = [
      "server:",
      "  port: 4000",
      "    host: 0.0.0.0",
      "routing:",
      "  strategy: weighted",
      "   max_attempts: 3",
      "",
    ].join("\n");
    expect(places(text).map((place) => place.split(" ")[0])).toEqual(["3:5", "6:4"]);
  });
});
