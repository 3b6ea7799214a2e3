import { describe, expect, it } from "vitest";
import { readGeminiError } from "../../../src/providers/gemini/index.js";
import { retryDelayFromBody } from "../../../src/util/index.js";
import { loadJson } from "./fixtures.js";

describe("readGeminiError", () => {
  const quotaMessage = (loadJson("error-429-quota.json")["error"] as { message: string }).message;

  it("reads a 429 RESOURCE_EXHAUSTED with QuotaFailure (PerDay) and RetryInfo", () => {
    const body = loadJson("error-429-quota.json");
    expect(readGeminiError(body)).toEqual({ message: quotaMessage, type: "RESOURCE_EXHAUSTED", code: "429" });
    expect(quotaMessage).toMatch(/^You exceeded your current quota/);
    // The shared body parser (util) finds the RetryInfo delay in the same fixture.
    expect(retryDelayFromBody(body)).toBe(22_000);
  });

  it("reads the same error wrapped in an array", () => {
    const body = loadJson("error-429-quota-array.json");
    expect(Array.isArray(body)).toBe(true);
    expect(readGeminiError(body)).toEqual({ message: quotaMessage, type: "RESOURCE_EXHAUSTED", code: "429" });
    expect(retryDelayFromBody(body)).toBe(22_000);
  });

  it("reads a 400 API_KEY_INVALID, taking the ErrorInfo reason as the code", () => {
    expect(readGeminiError(loadJson("error-400-api-key-invalid.json"))).toEqual({
      message: "API key not valid. Please pass a valid API key.",
      type: "INVALID_ARGUMENT",
      code: "API_KEY_INVALID",
    });
  });

  it("reads a 503 UNAVAILABLE", () => {
    expect(readGeminiError(loadJson("error-503-unavailable.json"))).toEqual({
      message: "The model is overloaded. Please try again later.",
      type: "UNAVAILABLE",
      code: "503",
    });
  });

  it("tolerates text, empty and odd bodies", () => {
    expect(readGeminiError("upstream connect error")).toEqual({
      message: "upstream connect error",
      type: null,
      code: null,
    });
    expect(readGeminiError(null)).toEqual({ message: null, type: null, code: null });
    expect(readGeminiError([])).toEqual({ message: null, type: null, code: null });
    expect(readGeminiError({ error: "Not Found" })).toEqual({ message: "Not Found", type: null, code: null });
    expect(readGeminiError({ code: 404, message: "models/x is not found", status: "NOT_FOUND" })).toEqual({
      message: "models/x is not found",
      type: "NOT_FOUND",
      code: "404",
    });
  });
});
