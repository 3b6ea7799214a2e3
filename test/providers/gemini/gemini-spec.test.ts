import { describe, expect, it } from "vitest";
import { validateGemini, validateGeminiRequest } from "./gemini-spec.js";

const contents = [{ role: "user", parts: [{ text: "Hi" }] }];

describe("gemini-spec helper", () => {
  it("accepts a minimal request in both specs (model comes from the path)", () => {
    expect(() => validateGeminiRequest({ contents })).not.toThrow();
  });

  it("rejects a wrong enum in the official spec", () => {
    const body = { contents, toolConfig: { functionCallingConfig: { mode: "AUTOMATIC" } } };
    expect(() => validateGemini("official", "GenerateContentRequest", body)).toThrow(/mode/);
  });

  it("rejects unknown fields and non-object JSON schemas in the native spec only", () => {
    const typo = { contents: [{ role: "user", parts: [{ txt: "Hi" }] }] };
    expect(() => validateGemini("official", "GenerateContentRequest", typo)).not.toThrow();
    expect(() => validateGemini("native", "GenerateContentRequest", typo)).toThrow(/additional/);
    const schemaText = {
      contents,
      generationConfig: { responseMimeType: "application/json", responseJsonSchema: "{}" },
    };
    expect(() => validateGemini("official", "GenerateContentRequest", schemaText)).not.toThrow();
    expect(() => validateGemini("native", "GenerateContentRequest", schemaText)).toThrow(
      /responseJsonSchema/,
    );
  });

  it("checks base64 (format byte) for inline data and thought signatures in both specs", () => {
    const body = { contents: [{ role: "model", parts: [{ text: "x", thoughtSignature: "not base64!" }] }] };
    expect(() => validateGemini("official", "GenerateContentRequest", body)).toThrow(/byte/);
    expect(() => validateGemini("native", "GenerateContentRequest", body)).toThrow(/byte/);
  });

  it("requires a non-empty contents-shaped body", () => {
    expect(() => validateGeminiRequest({ systemInstruction: { parts: [{ text: "x" }] } })).toThrow(
      /contents/,
    );
  });
});
