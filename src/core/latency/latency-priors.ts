import { defaultLayout, sameLayout, type BucketLayout } from "./log-buckets.js";
import type { DeploymentSlices, LatencyMetric, LatencySnapshot } from "./snapshot.js";
import { WindowHistogram, type Percentiles } from "./window-histogram.js";

/** What one deployment's history says (null per metric without observations in the window). */
export interface LatencySummary {
  /** Total latency of an attempt (request sent → answer complete). */
  latency: Percentiles | null;
  /** Time to first token of streamed attempts. */
  ttft: Percentiles | null;
}

/** One observation: either metric may be missing (no TTFT for a non-streamed answer). */
export interface LatencySample {
  latencyMs?: number | null;
  ttftMs?: number | null;
}

/** Options of {@link LatencyPriors}. */
export interface LatencyPriorsOptions {
  /** The window (ModelMuxer's LATENCY_PRIORS_WINDOW_S; default 1800 s). */
  windowMs?: number;
  /** Length of one time slice (default 60 s; the window holds `windowMs / sliceMs` of them). */
  sliceMs?: number;
  /** Percentiles are recomputed at most this often… (default 1 s) */
  refreshMs?: number;
  /** …or after this many new observations of the deployment (default 32). */
  refreshEvery?: number;
  layout?: BucketLayout;
}

interface Windows {
  latency: WindowHistogram;
  ttft: WindowHistogram;
}

interface Cached {
  summary: LatencySummary;
  at: number;
  slice: number;
  /** Observations since the summary was computed, per metric. */
  pending: Record<LatencyMetric, number>;
  version: number;
}

/**
 * Latency and time-to-first-token priors per deployment over a sliding window, with p50/p95/p99
 * (within ±4 %), cheap enough to read at every selection: a summary is cached and recomputed only after
 * `refreshMs`, after `refreshEvery` new observations, when the window moved to a new slice or when
 * peers' data changed. Memory per deployment is bounded (two ring buffers of `slices × buckets`).
 *
 * Nodes share by exchanging {@link LatencyPriors.snapshot} (local observations only) and feeding
 * the others' to {@link LatencyPriors.setPeer}; summaries count local and peer observations alike.
 */
export class LatencyPriors {
  readonly windowMs: number;
  readonly sliceMs: number;
  readonly #slices: number;
  readonly #refreshMs: number;
  readonly #refreshEvery: number;
  readonly #layout: BucketLayout;
  readonly #local = new Map<string, Windows>();
  readonly #peers = new Map<string, Map<string, Windows>>();
  readonly #cache = new Map<string, Cached>();
  #version = 0;

  constructor(options: LatencyPriorsOptions = {}) {
    this.sliceMs = options.sliceMs ?? 60_000;
    this.#slices = Math.max(1, Math.ceil((options.windowMs ?? 1_800_000) / this.sliceMs));
    this.windowMs = this.#slices * this.sliceMs;
    this.#refreshMs = options.refreshMs ?? 1_000;
    this.#refreshEvery = options.refreshEvery ?? 32;
    this.#layout = options.layout ?? defaultLayout;
  }

  /** Records one attempt of a deployment at `now`. Non-finite or negative values are ignored. */
  observe(deploymentId: string, sample: LatencySample, now: number): void {
    const windows = this.#windows(this.#local, deploymentId);
    const cached = this.#cache.get(deploymentId);
    for (const metric of ["latency", "ttft"] as const) {
      const value = metric === "latency" ? sample.latencyMs : sample.ttftMs;
      if (typeof value !== "number" || !Number.isFinite(value) || value < 0) continue;
      windows[metric].add(value, now);
      if (cached) cached.pending[metric] += 1;
    }
  }

  /** The deployment's percentiles at `now` (cached; see the class). */
  summary(deploymentId: string, now: number): LatencySummary {
    const cached = this.#cache.get(deploymentId);
    const slice = Math.floor(now / this.sliceMs);
    if (cached && this.#fresh(cached, slice, now)) return cached.summary;
    const summary = this.#compute(deploymentId, now);
    const pending = { latency: 0, ttft: 0 };
    this.#cache.set(deploymentId, { summary, at: now, slice, pending, version: this.#version });
    return summary;
  }

  /** A cached summary still holds: same peers, same slice, young, few new observations, none first of its metric. */
  #fresh(cached: Cached, slice: number, now: number): boolean {
    const { pending, summary } = cached;
    return (
      cached.version === this.#version &&
      cached.slice === slice &&
      now >= cached.at &&
      now - cached.at < this.#refreshMs &&
      pending.latency + pending.ttft < this.#refreshEvery &&
      !(summary.latency === null && pending.latency > 0) &&
      !(summary.ttft === null && pending.ttft > 0)
    );
  }

  /** A lookup for the selection helpers: `id → summary` at `now`. */
  reader(now: number): (deploymentId: string) => LatencySummary {
    return (deploymentId) => this.summary(deploymentId, now);
  }

  /** This node's own observations at `now`, as JSON to share (peers' data is not included). */
  snapshot(now: number): LatencySnapshot {
    const deployments: Record<string, DeploymentSlices> = {};
    for (const [id, windows] of this.#local) {
      const latency = windows.latency.slices(now);
      const ttft = windows.ttft.slices(now);
      if (latency.length > 0 || ttft.length > 0) deployments[id] = { latency, ttft };
    }
    return { v: 1, layout: this.#layout, sliceMs: this.sliceMs, slices: this.#slices, deployments };
  }

  /**
   * Replaces what peer `source` (a node id) contributes with its latest snapshot; false (and nothing
   * changed) when the snapshot buckets or slices differently.
   */
  setPeer(source: string, snapshot: LatencySnapshot): boolean {
    if (!sameLayout(this.#layout, snapshot.layout) || snapshot.sliceMs !== this.sliceMs) return false;
    const windows = new Map<string, Windows>();
    for (const [id, slices] of Object.entries(snapshot.deployments)) {
      const target = this.#windows(windows, id);
      target.latency.absorb(slices.latency);
      target.ttft.absorb(slices.ttft);
    }
    this.#peers.set(source, windows);
    this.#version += 1;
    return true;
  }

  /** Forgets a peer (it left, or its snapshot expired). */
  deletePeer(source: string): void {
    if (this.#peers.delete(source)) this.#version += 1;
  }

  /** Deployments with local or peer history. */
  deployments(): string[] {
    const ids = new Set(this.#local.keys());
    for (const peer of this.#peers.values()) for (const id of peer.keys()) ids.add(id);
    return [...ids].sort();
  }

  #windows(into: Map<string, Windows>, deploymentId: string): Windows {
    let windows = into.get(deploymentId);
    if (!windows) {
      windows = {
        latency: new WindowHistogram(this.#layout, this.sliceMs, this.#slices),
        ttft: new WindowHistogram(this.#layout, this.sliceMs, this.#slices),
      };
      into.set(deploymentId, windows);
    }
    return windows;
  }

  #compute(deploymentId: string, now: number): LatencySummary {
    const sources = [this.#local.get(deploymentId)];
    for (const peer of this.#peers.values()) sources.push(peer.get(deploymentId));
    const present = sources.filter((windows): windows is Windows => windows !== undefined);
    return { latency: this.#metric(present, "latency", now), ttft: this.#metric(present, "ttft", now) };
  }

  #metric(sources: readonly Windows[], metric: LatencyMetric, now: number): Percentiles | null {
    if (sources.length === 1) return sources[0]![metric].percentiles(now);
    const combined = new WindowHistogram(this.#layout, this.sliceMs, this.#slices);
    for (const windows of sources) combined.absorb(windows[metric].slices(now));
    return combined.percentiles(now);
  }
}
