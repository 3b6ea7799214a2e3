import { readFileSync } from "node:fs";
import type { IntentLabel } from "../../src/core/intent/index.js";
import { intentLabels } from "../../src/core/intent/index.js";
import type { ChatRequest } from "../../src/types/index.js";

/** One labelled example of `test/fixtures/intent/*.json`. */
export interface LabelledExample {
  id: string;
  label: IntentLabel;
  request: ChatRequest;
}

/** Reads a labelled set from `test/fixtures/intent/<name>.json`. */
export function loadLabelled(name: string): LabelledExample[] {
  const url = new URL(`../fixtures/intent/${name}.json`, import.meta.url);
  return JSON.parse(readFileSync(url, "utf8")) as LabelledExample[];
}

/** Rows: expected label; columns: predicted label. */
export type Confusion = Record<IntentLabel, Record<IntentLabel, number>>;

export function emptyConfusion(): Confusion {
  const matrix = {} as Confusion;
  for (const row of intentLabels) {
    matrix[row] = {} as Record<IntentLabel, number>;
    for (const column of intentLabels) matrix[row][column] = 0;
  }
  return matrix;
}

/** The confusion matrix as a text table, with per-label recall and the overall accuracy. */
export function formatConfusion(title: string, matrix: Confusion): string {
  const short: Record<IntentLabel, string> = {
    chat_lite: "chat",
    deep_reason: "reason",
    code_gen: "code",
    json_extract: "json",
    translation: "transl",
    vision: "vision",
    safety_risk: "safety",
  };
  const cell = (text: string) => text.padStart(7);
  const lines = [
    `${title}`,
    `${"expected \\ got".padEnd(14)}${intentLabels.map((l) => cell(short[l])).join("")}  recall`,
  ];
  let right = 0;
  let total = 0;
  for (const row of intentLabels) {
    const counts = intentLabels.map((column) => matrix[row][column]);
    const sum = counts.reduce((a, b) => a + b, 0);
    right += matrix[row][row];
    total += sum;
    const recall = sum === 0 ? "-" : `${Math.round((100 * matrix[row][row]) / sum)}%`;
    lines.push(`${row.padEnd(14)}${counts.map((n) => cell(String(n))).join("")}  ${recall.padStart(6)}`);
  }
  lines.push(`accuracy ${right}/${total} = ${((100 * right) / Math.max(1, total)).toFixed(1)}%`);
  return lines.join("\n");
}
