/**
 * Measurements and printing of `npm run bench:quota`: per-router metrics, the side-by-side table of a
 * scenario, diagnostics of what went wrong, and the bars.
 */
import type { EngineEvent } from "../src/index.js";
import { combinedQuota, type RouterRun, type RunSettings, type Scenario } from "./quota-load.js";

/** The `p`-th percentile (0–100) by nearest rank; null when empty. */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length) - 1;
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank))] ?? null;
}

export interface RunMetrics {
  offered: number;
  served: number;
  servedPct: number;
  caller429: number;
  callerOther: number;
  upstreamRequests: number;
  upstream429: number;
  upstream429Pct: number;
  /** Upstream answers that were neither 2xx nor 429 (faults: 5xx, resets). */
  upstreamFailures: number;
  goodput: number;
  quotaUsedPct: number;
  latencyP50: number | null;
  latencyP99: number | null;
  latencyMax: number | null;
  rejectP50: number | null;
  rejectP99: number | null;
  rejectUnder50Pct: number | null;
  rejectWithRetryAfterPct: number | null;
  retryAfterP50: number | null;
}

const ok = (status: number): boolean => status >= 200 && status < 300;

export function measure(run: RouterRun, scenario: Scenario, settings: RunSettings): RunMetrics {
  const offered = run.calls.length;
  const served = run.calls.filter((call) => call.ok).length;
  const rejects = run.calls.filter((call) => call.error === "429");
  const upstream429 = run.upstream.filter((record) => record.status === 429).length;
  const inPeriod = run.upstream.filter(
    (record) => ok(record.status) && record.at >= run.startedAt && record.at < run.offeredEndAt,
  );
  const used = inPeriod.reduce((sum, record) => sum + (scenario.bind === "tokens" ? record.cost : 1), 0);
  const latencies = run.calls.filter((call) => call.ok).map((call) => call.durationMs);
  const rejectMs = rejects.map((call) => call.durationMs);
  const retryAfters = rejects.flatMap((call) => (call.retryAfterMs === null ? [] : [call.retryAfterMs]));
  const share = (part: number, whole: number): number | null => (whole === 0 ? null : (100 * part) / whole);
  return {
    offered,
    served,
    servedPct: share(served, offered) ?? 0,
    caller429: rejects.length,
    callerOther: run.calls.filter((call) => call.error === "other").length,
    upstreamRequests: run.upstream.length,
    upstream429,
    upstream429Pct: share(upstream429, offered) ?? 0,
    upstreamFailures: run.upstream.filter((record) => !ok(record.status) && record.status !== 429).length,
    goodput: served / ((run.settledAt - run.startedAt) / 1000),
    quotaUsedPct: (100 * used) / (combinedQuota(scenario) * settings.windows),
    latencyP50: percentile(latencies, 50),
    latencyP99: percentile(latencies, 99),
    latencyMax: percentile(latencies, 100),
    rejectP50: percentile(rejectMs, 50),
    rejectP99: percentile(rejectMs, 99),
    rejectUnder50Pct: share(rejectMs.filter((ms) => ms < 50).length, rejects.length),
    rejectWithRetryAfterPct: share(retryAfters.length, rejects.length),
    retryAfterP50: percentile(retryAfters, 50),
  };
}

/** A text table: the first row is the header; columns after the first are right-aligned. */
export function table(rows: readonly string[][]): string {
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => row[column]?.length ?? 0))) ?? [];
  return rows
    .map((row) =>
      row
        .map((cell, column) =>
          column === 0 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0),
        )
        .join("   ")
        .trimEnd(),
    )
    .join("\n");
}

const fixed = (value: number | null, digits = 0): string => (value === null ? "–" : value.toFixed(digits));
const pct = (value: number | null): string => (value === null ? "–" : `${value.toFixed(1)}%`);

function rowsOf(metrics: readonly RunMetrics[], scenario: Scenario): string[][] {
  const column = (pick: (m: RunMetrics) => string): string[] => metrics.map(pick);
  const unit = scenario.bind === "tokens" ? "tokens" : "requests";
  return [
    ["offered requests", ...column((m) => String(m.offered))],
    ["served (2xx to the caller)", ...column((m) => `${m.served} (${pct(m.servedPct)})`)],
    ["caller errors: 429", ...column((m) => String(m.caller429))],
    ["caller errors: other", ...column((m) => String(m.callerOther))],
    ["upstream requests", ...column((m) => String(m.upstreamRequests))],
    ["upstream 429s (% of offered)", ...column((m) => `${m.upstream429} (${pct(m.upstream429Pct)})`)],
    ["upstream faults (5xx/reset)", ...column((m) => String(m.upstreamFailures))],
    ["goodput (served/s, to last answer)", ...column((m) => fixed(m.goodput, 2))],
    [`combined quota used (${unit})`, ...column((m) => pct(m.quotaUsedPct))],
    [
      "latency p50 / p99 / max ms (served)",
      ...column((m) => `${fixed(m.latencyP50)} / ${fixed(m.latencyP99)} / ${fixed(m.latencyMax)}`),
    ],
    [
      "caller 429 answered p50 / p99 ms",
      ...column((m) => `${fixed(m.rejectP50, 1)} / ${fixed(m.rejectP99, 1)}`),
    ],
    ["caller 429s under 50 ms", ...column((m) => pct(m.rejectUnder50Pct))],
    [
      "caller 429s with Retry-After (p50 ms)",
      ...column((m) => `${pct(m.rejectWithRetryAfterPct)} (${fixed(m.retryAfterP50)})`),
    ],
  ];
}

/** The side-by-side table of one scenario. */
export function scenarioTable(
  scenario: Scenario,
  runs: readonly RouterRun[],
  metrics: readonly RunMetrics[],
): string {
  return table([["metric", ...runs.map((run) => run.router)], ...rowsOf(metrics, scenario)]);
}

/** Upstream 429s per key, and where in the key's fixed simulator window they fell. */
function upstream429Positions(run: RouterRun, windowMs: number): string {
  const parts: string[] = [];
  const keys = [...new Set(run.upstream.map((record) => record.key))].sort();
  for (const key of keys) {
    let start: number | null = null;
    const positions: number[] = [];
    const records = run.upstream.filter((r) => r.key === key && (ok(r.status) || r.status === 429));
    for (const record of [...records].sort((a, b) => a.at - b.at)) {
      if (start === null || record.at >= start + windowMs) start = record.at;
      if (record.status === 429) positions.push((100 * (record.at - start)) / windowMs);
    }
    if (positions.length > 0)
      parts.push(
        `${key} ×${positions.length} at ${fixed(percentile(positions, 0))}–${fixed(percentile(positions, 100))}% into its window`,
      );
  }
  return parts.length === 0 ? "none" : parts.join("; ");
}

function countBy(items: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(item, (counts.get(item) ?? 0) + 1);
  return [...counts].map(([item, count]) => `${count}× ${item}`).join("; ");
}

function llmuxEvents(events: readonly EngineEvent[]): string[] {
  const lines: string[] = [];
  const limits: string[] = [];
  const full: string[] = [];
  const cooldowns: string[] = [];
  for (const event of events) {
    if (event.type === "attempt_end" && event.status === 429)
      limits.push(/tokens per min/i.test(event.message ?? "") ? "tokens" : "requests");
    if (event.type === "capacity_full") full.push(event.dimension);
    if (event.type === "cooldown")
      cooldowns.push(`${event.deploymentId} ${event.reason} ${Math.round(event.durationMs)} ms`);
  }
  if (limits.length > 0) lines.push(`upstream 429s by limit: ${countBy(limits)}`);
  if (full.length > 0) lines.push(`capacity_full events (configured limit reached): ${countBy(full)}`);
  if (cooldowns.length > 0) lines.push(`cooldowns: ${countBy(cooldowns.slice(0, 200)).slice(0, 300)}`);
  return lines;
}

/** Lines explaining a run: where upstream 429s fell, waits, distinct caller errors. */
export function diagnostics(run: RouterRun, metrics: RunMetrics, settings: RunSettings): string[] {
  const lines = [`upstream 429s: ${upstream429Positions(run, settings.windowMs)}`];
  if (run.router === "llmux") lines.push(...llmuxEvents(run.events));
  const waited = run.calls.filter((call) => call.ok && call.durationMs > settings.latencyMs + 100);
  if (waited.length > 0)
    lines.push(`served after waiting (> latency + 100 ms): ${waited.length} of ${metrics.served}`);
  const rejects = run.calls.filter((call) => call.error === "429");
  const slow = rejects.filter((call) => call.durationMs >= 50);
  if (slow.length > 0) {
    const over = slow.filter((call) => call.durationMs > settings.maxWaitMs + 100);
    lines.push(
      `caller 429s after waiting (≥ 50 ms): ${slow.length} of ${rejects.length}, waited p50 ${fixed(
        percentile(
          slow.map((c) => c.durationMs),
          50,
        ),
      )} ms, ` +
        `their Retry-After p50 ${fixed(
          percentile(
            slow.flatMap((c) => (c.retryAfterMs === null ? [] : [c.retryAfterMs])),
            50,
          ),
        )} ms; ` +
        `${over.length} waited longer than maxWaitMs (${settings.maxWaitMs}) + 100 ms`,
    );
  }
  const errors = run.calls.flatMap((call) => (call.message === null ? [] : [call.message.slice(0, 110)]));
  if (errors.length > 0)
    lines.push(`caller errors: ${countBy(errors.map((m) => m.replace(/\d+(\.\d+)?/g, "N"))).slice(0, 600)}`);
  if (run.maxTimerLagMs > 20)
    lines.push(
      `arrival timers ran up to ${run.maxTimerLagMs.toFixed(0)} ms late (at ${(run.maxTimerLagAtMs / 1000).toFixed(1)} s)`,
    );
  return lines;
}

export interface Bar {
  scenario: string;
  text: string;
  value: (m: RunMetrics) => string;
  met: (m: RunMetrics) => boolean;
}

/** The bars of the issue that apply to a scenario. */
export function barsFor(scenario: Scenario): Bar[] {
  const name = scenario.name;
  if (scenario.loadPercent <= 95)
    return [
      {
        scenario: name,
        text: "no caller-visible errors",
        value: (m) => String(m.caller429 + m.callerOther),
        met: (m) => m.caller429 + m.callerOther === 0,
      },
      {
        scenario: name,
        text: "≥ 98% of requests served",
        value: (m) => pct(m.servedPct),
        met: (m) => m.servedPct >= 98,
      },
      {
        scenario: name,
        text: "upstream 429s ≤ 1% of requests",
        value: (m) => pct(m.upstream429Pct),
        met: (m) => m.upstream429Pct <= 1,
      },
    ];
  if (scenario.loadPercent >= 130)
    return [
      {
        scenario: name,
        text: "served ≥ 97% of the combined quota",
        value: (m) => pct(m.quotaUsedPct),
        met: (m) => m.quotaUsedPct >= 97,
      },
      {
        scenario: name,
        text: "excess answered as 429, not other errors",
        value: (m) => `${m.callerOther} other`,
        met: (m) => m.callerOther === 0,
      },
      {
        scenario: name,
        text: "excess answered in < 50 ms (p99)",
        value: (m) => `${fixed(m.rejectP99, 1)} ms`,
        met: (m) => m.rejectP99 !== null && m.rejectP99 < 50,
      },
      {
        scenario: name,
        text: "excess carries Retry-After",
        value: (m) => pct(m.rejectWithRetryAfterPct),
        met: (m) => m.rejectWithRetryAfterPct === 100,
      },
    ];
  return [];
}

/** The bars section: each bar with llmux's and the baseline's value. */
export function barsTable(
  rows: ReadonlyArray<{ bar: Bar; metrics: readonly RunMetrics[]; routers: readonly string[] }>,
): string {
  const header = ["scenario / bar", ...(rows[0]?.routers.flatMap((router) => [router, ""]) ?? [])];
  const body = rows.map(({ bar, metrics }) => [
    `${bar.scenario}: ${bar.text}`,
    ...metrics.flatMap((m) => [bar.value(m), bar.met(m) ? "met" : "NOT MET"]),
  ]);
  return table([header, ...body]);
}
