import { describe, expect, it } from "vitest";
import { classifyIntent, intentLabels } from "../../src/core/intent/index.js";
import { emptyConfusion, formatConfusion, loadLabelled, type LabelledExample } from "./labelled-set.js";

function evaluate(examples: readonly LabelledExample[]): {
  accuracy: number;
  table: string;
  misses: string[];
} {
  const matrix = emptyConfusion();
  const misses: string[] = [];
  for (const example of examples) {
    const { label, confidence } = classifyIntent(example.request);
    matrix[example.label][label] += 1;
    if (label !== example.label)
      misses.push(`${example.id}: expected ${example.label}, got ${label} (${confidence})`);
  }
  const right = intentLabels.reduce((sum, label) => sum + matrix[label][label], 0);
  return { accuracy: right / examples.length, table: formatConfusion("", matrix), misses };
}

describe("intent classifier accuracy", () => {
  it("labelled set (development): at least 60 varied examples, every label, accuracy ≥ 80 %", () => {
    const examples = loadLabelled("labelled");
    expect(examples.length).toBeGreaterThanOrEqual(60);
    expect(new Set(examples.map((e) => e.id)).size).toBe(examples.length);
    for (const label of intentLabels) {
      expect(examples.filter((e) => e.label === label).length).toBeGreaterThanOrEqual(8);
    }
    const { accuracy, table, misses } = evaluate(examples);
    console.log(
      `intent: labelled set (${examples.length} examples)${table}\nmisses:\n  ${misses.join("\n  ")}`,
    );
    expect(accuracy).toBeGreaterThanOrEqual(0.8);
  });

  it("holdout set (written after the cues were frozen, never tuned on): accuracy ≥ 75 %", () => {
    const examples = loadLabelled("holdout");
    expect(examples.length).toBeGreaterThanOrEqual(40);
    const { accuracy, table, misses } = evaluate(examples);
    console.log(
      `intent: holdout set (${examples.length} examples)${table}\nmisses:\n  ${misses.join("\n  ")}`,
    );
    expect(accuracy).toBeGreaterThanOrEqual(0.75);
  });
});
