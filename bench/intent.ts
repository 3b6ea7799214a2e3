/**
 * Intent classifier micro benchmark: `npx tsx bench/intent.ts [--rounds N]`.
 *
 * Classifies the labelled set (plus long pasted documents and agent system prompts, see
 * `test/intent/realistic-mix.ts`) and a worst-case request (prose filling every bound), and prints the
 * median and p95 cost per request over many rounds, plus the label distribution of the mix.
 */
import { performance } from "node:perf_hooks";
import { classifyIntent, type IntentLabel } from "../src/core/intent/index.js";
import type { ChatRequest } from "../src/types/index.js";
import { loadLabelled } from "../test/intent/labelled-set.js";
import { hugeProse, realisticMix } from "../test/intent/realistic-mix.js";
import { percentile } from "./bench-stats.js";

const roundsFlag = process.argv.indexOf("--rounds");
const rounds = roundsFlag > 0 ? Number(process.argv[roundsFlag + 1]) || 200 : 200;

function perRequestMicros(requests: readonly ChatRequest[]): number[] {
  for (let i = 0; i < 5_000; i += 1) classifyIntent(requests[i % requests.length]!);
  const samples: number[] = [];
  for (let round = 0; round < rounds; round += 1) {
    const started = performance.now();
    for (const request of requests) classifyIntent(request);
    samples.push(((performance.now() - started) * 1_000) / requests.length);
  }
  return samples;
}

const mix = realisticMix([...loadLabelled("labelled"), ...loadLabelled("holdout")]);
const labels = new Map<IntentLabel, number>();
for (const request of mix) {
  const { label } = classifyIntent(request);
  labels.set(label, (labels.get(label) ?? 0) + 1);
}
const rows: Array<[string, number[]]> = [
  [`realistic mix (${mix.length} requests)`, perRequestMicros(mix)],
  ["worst case (100 KB system + 100 KB user prose)", perRequestMicros([hugeProse])],
];
console.log(`intent classifier, ${rounds} rounds, µs per request`);
for (const [name, samples] of rows) {
  const median = percentile(samples, 50).toFixed(1);
  const p95 = percentile(samples, 95).toFixed(1);
  console.log(`  ${name.padEnd(48)} median ${median.padStart(6)}   p95 ${p95.padStart(6)}`);
}
console.log(`  labels of the mix: ${[...labels].map(([label, count]) => `${label} ${count}`).join(", ")}`);
