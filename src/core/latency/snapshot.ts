import { sameLayout, type BucketLayout } from "./log-buckets.js";
import type { SliceCounts } from "./window-histogram.js";

/** The two metrics kept per deployment. */
export type LatencyMetric = "latency" | "ttft";

/** One deployment's live slices of each metric. */
export interface DeploymentSlices {
  latency: SliceCounts[];
  ttft: SliceCounts[];
}

/**
 * A node's latency priors as plain JSON (to share through Redis): the bucket layout, the slice length
 * and window, and per deployment the live slices of each metric. Slices carry their absolute index, so
 * snapshots taken on different nodes (or at different times) merge exactly and age out on their own.
 */
export interface LatencySnapshot {
  v: 1;
  layout: BucketLayout;
  sliceMs: number;
  slices: number;
  deployments: Record<string, DeploymentSlices>;
}

function isSliceList(value: unknown): value is SliceCounts[] {
  return (
    Array.isArray(value) &&
    value.every(
      (slice: unknown) =>
        typeof slice === "object" &&
        slice !== null &&
        Number.isInteger((slice as SliceCounts).s) &&
        Array.isArray((slice as SliceCounts).b) &&
        (slice as SliceCounts).b.every((n) => Number.isInteger(n) && n >= 0),
    )
  );
}

/** Whether a parsed value is a snapshot (checks the shape; use on what comes back from Redis). */
export function isLatencySnapshot(value: unknown): value is LatencySnapshot {
  if (typeof value !== "object" || value === null) return false;
  const snapshot = value as Partial<LatencySnapshot>;
  const layout = snapshot.layout;
  if (snapshot.v !== 1 || typeof layout !== "object" || layout === null) return false;
  if (![layout.minMs, layout.gamma, layout.count].every((n) => typeof n === "number" && n > 0)) return false;
  if (!(typeof snapshot.sliceMs === "number" && snapshot.sliceMs > 0 && Number.isInteger(snapshot.slices)))
    return false;
  const deployments = snapshot.deployments;
  if (typeof deployments !== "object" || deployments === null) return false;
  return Object.values(deployments).every(
    (entry: unknown) =>
      typeof entry === "object" &&
      entry !== null &&
      isSliceList((entry as DeploymentSlices).latency) &&
      isSliceList((entry as DeploymentSlices).ttft),
  );
}

/** Whether two snapshots bucket and slice alike (only those merge). */
export function compatible(a: LatencySnapshot, b: LatencySnapshot): boolean {
  return sameLayout(a.layout, b.layout) && a.sliceMs === b.sliceMs;
}

function mergeSlices(into: Map<number, Map<number, number>>, slices: readonly SliceCounts[]): void {
  for (const { s, b } of slices) {
    const buckets = into.get(s) ?? new Map<number, number>();
    into.set(s, buckets);
    for (let index = 0; index + 1 < b.length; index += 2) {
      buckets.set(b[index]!, (buckets.get(b[index]!) ?? 0) + b[index + 1]!);
    }
  }
}

function toSlices(merged: Map<number, Map<number, number>>): SliceCounts[] {
  return [...merged.entries()]
    .sort(([a], [b]) => a - b)
    .map(([s, buckets]) => ({
      s,
      b: [...buckets.entries()].sort(([a], [b]) => a - b).flatMap(([bucket, count]) => [bucket, count]),
    }));
}

/**
 * The sum of several snapshots (counts added per deployment, metric, slice and bucket). Pure,
 * commutative and associative. Takes the layout of the first; snapshots with another layout or slice
 * length are left out. The window is the widest given. Null for no snapshots.
 */
export function mergeLatencySnapshots(snapshots: readonly LatencySnapshot[]): LatencySnapshot | null {
  const first = snapshots[0];
  if (first === undefined) return null;
  const usable = snapshots.filter((snapshot) => compatible(first, snapshot));
  const merged = new Map<string, Record<LatencyMetric, Map<number, Map<number, number>>>>();
  for (const snapshot of usable) {
    for (const [id, slices] of Object.entries(snapshot.deployments)) {
      const target = merged.get(id) ?? { latency: new Map(), ttft: new Map() };
      merged.set(id, target);
      mergeSlices(target.latency, slices.latency);
      mergeSlices(target.ttft, slices.ttft);
    }
  }
  const deployments: Record<string, DeploymentSlices> = {};
  for (const id of [...merged.keys()].sort()) {
    const target = merged.get(id)!;
    deployments[id] = { latency: toSlices(target.latency), ttft: toSlices(target.ttft) };
  }
  return {
    v: 1,
    layout: first.layout,
    sliceMs: first.sliceMs,
    slices: Math.max(...usable.map((snapshot) => snapshot.slices)),
    deployments,
  };
}
