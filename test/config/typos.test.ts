import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/index.js";
import { closest } from "../../src/config/suggest.js";
import { providerTypes } from "../../src/types/index.js";
import { issuesOf } from "./issues.js";

describe("did you mean", () => {
  it("counts two swapped letters as one edit", () => {
    expect(closest("tpye", ["id", "type", "api_key"])).toBe("type");
    expect(closest("modles", ["models", "priority"])).toBe("models");
    expect(closest("xyz", ["type"])).toBeNull();
  });

  it("suggests `type` for a provider's `tpye: groq`, and says `type` is missing", () => {
    const text = "providers:\n  - id: groq-1\n    tpye: groq\n    api_key: gsk-test\n";
    expect(issuesOf(() => parseConfig(text, { file: "llmux.yaml", env: {} }))).toEqual([
      {
        file: "llmux.yaml",
        line: 2,
        column: 5,
        path: "providers[0].type",
        message: `is required (one of: ${providerTypes.join(", ")})`,
      },
      {
        file: "llmux.yaml",
        line: 3,
        column: 5,
        path: "providers[0].tpye",
        message: 'unknown field "tpye" (did you mean "type"?)',
      },
    ]);
  });
});
