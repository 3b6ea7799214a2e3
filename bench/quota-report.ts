/** The tables of `npm run bench:quota`: one row per scenario, burst and contender, and the bars. */
import type { Bar } from "./quota-bars.js";
import type { IdealResult } from "./quota-ideal.js";
import type { ContenderName } from "./quota-contenders.js";
import type { RunMetrics } from "./quota-metrics.js";

/** One contender's result in one scenario at one burst. */
export interface ResultRow {
  readonly scenario: string;
  readonly burst: number;
  readonly contender: ContenderName;
  readonly metrics: RunMetrics;
  readonly bars: readonly Bar[];
  /** The scenario's ceiling (the same for every contender); null with fixed windows. */
  readonly ideal: IdealResult | null;
}

/** A text table: the first row is the header; columns after the first three are right-aligned. */
export function table(rows: readonly string[][]): string {
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => row[column]?.length ?? 0))) ?? [];
  return rows
    .map((row) =>
      row
        .map((cell, column) =>
          column < 3 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0),
        )
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

const pct = (value: number | null): string => (value === null ? "–" : `${value.toFixed(1)}%`);
const ms = (value: number | null): string => (value === null ? "–" : value.toFixed(0));

/** `3/3 met`: how many of the scenario's bars the row meets. */
export function barsMet(row: ResultRow): string {
  return `${row.bars.filter((bar) => bar.met(row.metrics)).length}/${row.bars.length} met`;
}

/** Verdicts: `met` when every bar is met, else the bars missed. */
export function verdict(row: ResultRow): string {
  const missed = row.bars.filter((bar) => !bar.met(row.metrics));
  return missed.length === 0
    ? `met (${row.bars.length}/${row.bars.length})`
    : `MISSED ${missed.map((bar) => bar.text).join("; ")}`;
}

const HEADER = [
  "scenario",
  "burst",
  "contender",
  "offered",
  "served % req",
  "served % quota",
  "caller errors (by status)",
  "upstream 429s (% of offered)",
  "excess 429: Retry-After, p99 ms",
  "served p50/p99 ms",
  "bars (learned)",
  "ceiling: % quota, errors",
];

/** The run's table: every scenario × burst × contender. */
export function resultsTable(rows: readonly ResultRow[]): string {
  const body = rows.map((row) => {
    const m = row.metrics;
    return [
      row.scenario,
      String(row.burst),
      row.contender,
      String(m.offered),
      pct(m.servedPct),
      pct(m.servedQuotaPct),
      m.callerErrors === 0 ? "0" : `${m.callerErrors} (${m.callerErrorsByStatus})`,
      `${m.upstream429} (${pct(m.upstream429Pct)})`,
      m.excess === 0 ? "–" : `${pct(m.excessWithRetryAfterPct)}, ${ms(m.excessP99Ms)}`,
      `${ms(m.servedP50Ms)}/${ms(m.servedP99Ms)}`,
      row.contender === "learned" ? barsMet(row) : "",
      row.contender === "learned" && row.ideal !== null
        ? `${pct(row.ideal.servedQuotaPct)}, ${row.ideal.refused}`
        : "",
    ];
  });
  return table([HEADER, ...body]);
}

/** Each bar of each scenario: its value and verdict for every contender. */
export function barsTable(rows: readonly ResultRow[], contenders: readonly ContenderName[]): string {
  const header = ["scenario", "burst", "bar", ...contenders];
  const body: string[][] = [];
  const keys = [...new Set(rows.map((row) => `${row.scenario}\u0000${row.burst}`))];
  for (const key of keys) {
    const group = rows.filter((row) => `${row.scenario}\u0000${row.burst}` === key);
    const first = group[0];
    if (first === undefined) continue;
    for (const bar of first.bars) {
      const cells = contenders.map((name) => {
        const row = group.find((candidate) => candidate.contender === name);
        if (row === undefined) return "–";
        return `${bar.value(row.metrics)} ${bar.met(row.metrics) ? "met" : "MISSED"}`;
      });
      body.push([first.scenario, String(first.burst), bar.text, ...cells]);
    }
  }
  return table([header, ...body]);
}

/** `learned 3/18 met, configured …`: scenarios whose bars are all met, per contender. */
export function summary(rows: readonly ResultRow[], contenders: readonly ContenderName[]): string {
  return contenders
    .map((name) => {
      const own = rows.filter((row) => row.contender === name);
      const met = own.filter((row) => row.bars.every((bar) => bar.met(row.metrics))).length;
      const bars = own.reduce((sum, row) => sum + row.bars.length, 0);
      const barsMet = own.reduce(
        (sum, row) => sum + row.bars.filter((bar) => bar.met(row.metrics)).length,
        0,
      );
      return `${name}: all bars met in ${met} of ${own.length} scenario runs (${barsMet} of ${bars} bars)`;
    })
    .join("\n");
}
