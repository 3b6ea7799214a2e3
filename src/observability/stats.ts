import type { EngineEvent, FailureKind } from "../types/index.js";
import { SampleRing } from "./percentiles.js";

/** Latency percentiles in milliseconds (null until there are samples). */
export interface LatencySummary {
  p50: number | null;
  p90: number | null;
  p95: number | null;
  p99: number | null;
  samples: number;
}

/** Counters of one deployment, as collected from engine events. */
export interface DeploymentCounters {
  /** Successful attempts. */
  success: number;
  /** Attempts answered with a rate limit or quota error. */
  rateLimited: number;
  /** Other failed attempts (callers' own aborts and requests llmux could not send are not counted). */
  failed: number;
  latency: LatencySummary;
  timeToFirstToken: LatencySummary;
  tokens: { prompt: number; completion: number };
  malformedChunks: number;
  /**
   * Mid-stream recoveries of streams that broke on this deployment: continued with a prefill,
   * regenerated and spliced, or failed (the stream ended with the in-band error).
   */
  recoveries: { prefill: number; spliced: number; failed: number };
  /** Hedges started on this deployment, and how many answered first (won) or lost the race. */
  hedges: { started: number; won: number; lost: number };
  lastError: { kind: FailureKind; status: number | null; message: string | null; at: number } | null;
}

class Entry {
  success = 0;
  rateLimited = 0;
  failed = 0;
  prompt = 0;
  completion = 0;
  malformed = 0;
  recoveries: DeploymentCounters["recoveries"] | null = null;
  hedges: DeploymentCounters["hedges"] | null = null;
  lastError: DeploymentCounters["lastError"] = null;
  readonly latency = new SampleRing();
  readonly ttft = new SampleRing();
}

function summary(ring: SampleRing): LatencySummary {
  const [p50 = null, p90 = null, p95 = null, p99 = null] = ring.percentiles([50, 90, 95, 99]);
  return { p50, p90, p95, p99, samples: ring.count };
}

/** Collects per-deployment counters from engine events (subscribe `collector.listener`). */
export class StatsCollector {
  readonly #entries = new Map<string, Entry>();

  /** The event listener to subscribe. */
  readonly listener = (event: EngineEvent): void => {
    if (event.type === "malformed_chunk") {
      this.#entry(event.deploymentId).malformed += 1;
      return;
    }
    if (event.type === "stream_recovery") {
      const entry = this.#entry(event.deploymentId);
      (entry.recoveries ??= { prefill: 0, spliced: 0, failed: 0 })[event.result] += 1;
      return;
    }
    if (event.type === "hedge") {
      const entry = this.#entry(event.deploymentId);
      (entry.hedges ??= { started: 0, won: 0, lost: 0 })[event.result] += 1;
      return;
    }
    if (event.type !== "attempt_end") return;
    const entry = this.#entry(event.deploymentId);
    if (event.outcome === "success") {
      entry.success += 1;
      entry.latency.add(event.durationMs);
      if (event.firstTokenMs !== null) entry.ttft.add(event.firstTokenMs);
      if (event.usage) {
        entry.prompt += event.usage.prompt_tokens ?? 0;
        entry.completion += event.usage.completion_tokens ?? 0;
      }
      return;
    }
    // The caller's own aborts and requests llmux could not send are not the deployment's failures.
    if (event.failure === "aborted" || event.failure === "local" || event.failure === null) return;
    if (event.failure === "rate_limited" || event.failure === "quota_exhausted") entry.rateLimited += 1;
    else entry.failed += 1;
    entry.lastError = { kind: event.failure, status: event.status, message: event.message, at: event.at };
  };

  #entry(id: string): Entry {
    let entry = this.#entries.get(id);
    if (!entry) {
      entry = new Entry();
      this.#entries.set(id, entry);
    }
    return entry;
  }

  /** Counters of one deployment (zeros when it has seen nothing). */
  counters(deploymentId: string): DeploymentCounters {
    const entry = this.#entries.get(deploymentId) ?? new Entry();
    return {
      success: entry.success,
      rateLimited: entry.rateLimited,
      failed: entry.failed,
      latency: summary(entry.latency),
      timeToFirstToken: summary(entry.ttft),
      tokens: { prompt: entry.prompt, completion: entry.completion },
      malformedChunks: entry.malformed,
      recoveries: { prefill: 0, spliced: 0, failed: 0, ...entry.recoveries },
      hedges: { started: 0, won: 0, lost: 0, ...entry.hedges },
      lastError: entry.lastError,
    };
  }

  clear(): void {
    this.#entries.clear();
  }
}
