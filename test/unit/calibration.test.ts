import { describe, expect, it } from "vitest";
import { TokenCalibration } from "../../src/core/calibration.js";
import { estimateRequestTokens } from "../../src/core/estimate.js";

describe("TokenCalibration", () => {
  it("starts at 1, adopts the first ratio, then moves by a fifth of each difference", () => {
    const calibration = new TokenCalibration();
    expect(calibration.factor("m")).toBe(1);
    calibration.observe("m", 100, 200);
    expect(calibration.factor("m")).toBe(2);
    calibration.observe("m", 100, 100);
    expect(calibration.factor("m")).toBeCloseTo(1.8, 10);
    expect(calibration.factor("other")).toBe(1);
  });

  it("clamps wild ratios and ignores empty observations", () => {
    const calibration = new TokenCalibration();
    calibration.observe("m", 10, 1000);
    expect(calibration.factor("m")).toBe(4);
    calibration.observe("m", 0, 50);
    calibration.observe("m", 50, 0);
    expect(calibration.factor("m")).toBe(4);
    const low = new TokenCalibration();
    low.observe("m", 1000, 1);
    expect(low.factor("m")).toBe(0.25);
  });
});

describe("estimateRequestTokens", () => {
  it("splits the estimate into prompt and output (max tokens times choices)", () => {
    const request = {
      model: "m",
      messages: [{ role: "user", content: "x".repeat(40) }],
      max_tokens: 50,
      n: 2,
    };
    expect(estimateRequestTokens(request, 256)).toEqual({ prompt: 14, output: 100 });
    expect(estimateRequestTokens({ model: "m", messages: [] }, 256)).toEqual({ prompt: 0, output: 256 });
  });
});
