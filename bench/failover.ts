/**
 * `npm run bench:failover`: the 16 failoverbench fault scenarios against the simulator, through the
 * gateway with the openai SDK; prints pass / partial / safe / fail per scenario and the totals.
 * `--only <substring>` runs the matching scenarios.
 */
import { runScenario, scenarios, startFailoverStack, type Grade } from "./failover-scenarios.js";

const only = process.argv.includes("--only") ? process.argv[process.argv.indexOf("--only") + 1] : undefined;
const stack = await startFailoverStack();
const counts: Record<Grade, number> = { pass: 0, partial: 0, safe: 0, fail: 0 };
const rows: string[][] = [["#", "scenario", "grade", "ms", "calls", "note"]];
try {
  for (const [index, scenario] of scenarios.entries()) {
    if (only !== undefined && !scenario.name.includes(only)) continue;
    const result = await runScenario(stack, scenario);
    counts[result.grade] += 1;
    rows.push([
      String(index + 1),
      scenario.name,
      result.grade,
      String(result.ms),
      String(result.upstreamCalls),
      result.note,
    ]);
  }
} finally {
  await stack.close();
}
const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
for (const row of rows) console.log(row.map((cell, column) => cell.padEnd(widths[column]!)).join("  "));
console.log(
  `\n${counts.pass} pass, ${counts.partial} partial, ${counts.safe} safe, ${counts.fail} fail (of ${rows.length - 1})`,
);
process.exitCode = counts.fail > 0 ? 1 : 0;
