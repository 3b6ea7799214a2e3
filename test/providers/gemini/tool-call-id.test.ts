import { describe, expect, it } from "vitest";
import { mintToolCallId, readToolCallId } from "../../../src/providers/gemini/tool-call-id.js";

/** Anthropic's tool_use id rule, the strictest among the providers llmux routes to. */
const portableId = /^[A-Za-z0-9_-]+$/;

describe("tool-call ids", () => {
  it("mints call_<token> with the Gemini id in hex and the signature in base64url", () => {
    expect(mintToolCallId("abc123", null, null)).toBe("call_abc123");
    expect(mintToolCallId("abc123", "fc_1", null)).toBe("call_abc123__gid_66635f31");
    expect(mintToolCallId("abc123", null, "a+b/cw==")).toBe("call_abc123__ts_a-b_cw");
    expect(mintToolCallId("abc123", "x", "Zm9v")).toBe("call_abc123__gid_78__ts_Zm9v");
  });

  it("strips characters outside [A-Za-z0-9-] from the token so the markers stay unambiguous", () => {
    const id = mintToolCallId("V1StGXR8_Z5jdHi6B-myT__ts_x", null, null);
    expect(id).toBe("call_V1StGXR8Z5jdHi6B-myTtsx");
    expect(readToolCallId(id)).toEqual({ geminiId: null, thoughtSignature: null });
  });

  it("round-trips Gemini ids and signatures exactly, with portable characters only", () => {
    const signatures = ["CiQBVKhc7g==", "CiQBVKhc7gA=", "CiQBVKhc", "+/+/__--", "MbygIJTr/DqaNvz8+ArY"];
    const geminiIds = [null, "fc-9Qx1", "call_ü_1", "a__ts_b"];
    for (const signature of signatures) {
      for (const geminiId of geminiIds) {
        const id = mintToolCallId("550e8400-e29b-41d4-a716-446655440000", geminiId, signature);
        expect(id).toMatch(portableId);
        const expected = signature.replace(/-/g, "+").replace(/_/g, "/");
        expect(readToolCallId(id)).toEqual({ geminiId, thoughtSignature: expected });
      }
    }
  });

  it("reads nothing from ids it did not mint, and skips a signature that is not base64", () => {
    for (const foreign of [
      "call_abc",
      "toolu_01A09q90qw90lq917835lq9",
      "call_x__ts_",
      "fc_1",
      "call_a__gid_zz",
    ]) {
      expect(readToolCallId(foreign)).toEqual({ geminiId: null, thoughtSignature: null });
    }
    expect(mintToolCallId("t", null, "not base64!")).toBe("call_t");
  });
});
