import { Histogram, Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { HistogramCells } from "../../src/observability/histogram-cells.js";

const buckets = [0.005, 0.05, 0.5, 5];
const labelNames = ["deployment", "stream"];

function pair() {
  const theirs = new Registry();
  const ours = new Registry();
  const reference = new Histogram({
    name: "h_seconds",
    help: "A histogram",
    labelNames,
    buckets,
    registers: [theirs],
  });
  const cells = new HistogramCells({
    name: "h_seconds",
    help: "A histogram",
    labelNames,
    buckets,
    registers: [ours],
  });
  return { theirs, ours, reference, cells };
}

describe("HistogramCells", () => {
  it("writes the exposition prom-client's Histogram writes for the same observations", async () => {
    const { theirs, ours, reference, cells } = pair();
    const observations: Array<[string, string, number]> = [
      ["a/m", "false", 0.001],
      ['b/"quoted"\\n', "true", 0.3],
      ["a/m", "false", 0.05],
      ["a/m", "false", 7],
      ['b/"quoted"\\n', "true", 0],
      ["a/m", "true", 0.1 + 0.2],
    ];
    for (const [deployment, stream, value] of observations) {
      reference.labels(deployment, stream).observe(value);
      cells.series(deployment, stream).observe(value);
    }
    expect(await ours.metrics()).toBe(await theirs.metrics());
    expect(await cells.get()).toEqual(await reference.get());
  });

  it("keeps one series per label set and leaves out series never observed", async () => {
    const { ours, cells } = pair();
    const first = cells.series("a/m", "false");
    expect(cells.series("a/m", "false")).toBe(first);
    cells.series("never", "false");
    first.observe(1);
    const text = await ours.metrics();
    expect(text).toContain('h_seconds_bucket{le="0.5",deployment="a/m",stream="false"} 0');
    expect(text).toContain('h_seconds_bucket{le="5",deployment="a/m",stream="false"} 1');
    expect(text).toContain('h_seconds_count{deployment="a/m",stream="false"} 1');
    expect(text).not.toContain("never");
  });

  it("refuses a value that is not a number and a wrong number of label values", () => {
    const { cells } = pair();
    expect(() => cells.series("a/m", "false").observe(Number.NaN)).toThrow(TypeError);
    expect(() => cells.series("a/m")).toThrow(/expected 2 label values/);
  });

  it("forgets its series on reset", async () => {
    const { ours, cells } = pair();
    cells.series("a/m", "false").observe(1);
    cells.reset();
    expect(await ours.metrics()).toBe("# HELP h_seconds A histogram\n# TYPE h_seconds histogram\n");
  });
});
