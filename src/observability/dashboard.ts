import type { AttemptEndEvent, EngineEvent } from "../types/index.js";
import { SeriesRing } from "./series-ring.js";

/** What the dashboard shows of one deployment beyond /status: in-flight, errors by kind, failovers, recoveries. */
export interface DeploymentTally {
  /** Attempts under way now on this node. */
  inFlight: number;
  /** Attempts sent (requests llmux could not send are not counted). */
  attempts: number;
  /** Failed attempts by failure kind (`rate_limited`, `server_error`, `timeout`, …). */
  errors: Record<string, number>;
  /** Requests this deployment failed that went on to another deployment. */
  failoversFrom: number;
  /** Requests this deployment took over from another one. */
  failoversTo: number;
  /** Circuits closed again after opening, and streams resumed here after another deployment broke mid-stream. */
  recoveries: number;
  /** Hedges run here that answered first. */
  hedgesWon: number;
}

/** One model group's totals. */
export interface GroupTally {
  requests: number;
  failures: number;
  failovers: number;
  /** Streams broken mid-answer that a continuation finished (prefill or splice). */
  recoveries: number;
  /** Streams broken mid-answer that no continuation could finish. */
  recoveriesFailed: number;
  /** Late first tokens hedged on another deployment. */
  hedges: number;
}

/** A recent failed attempt, with the upstream's reason (redacted when served). */
export interface RecentError {
  at: number;
  requestId: string;
  group: string;
  deploymentId: string;
  kind: string;
  status: number | null;
  message: string | null;
  afterCommit: boolean;
}

/** Per-bucket series of one subject, oldest first; `quota` in percent (null: unknown). */
export interface SeriesWindow {
  requests: Array<number | null>;
  errors: Array<number | null>;
  rateLimited: Array<number | null>;
  quota: Array<number | null>;
}

/** The collector's read-out for the dashboard. */
export interface DashboardSnapshot {
  bucketMs: number;
  /** Buckets kept (the span is `bucketMs × size`). */
  size: number;
  /** Absolute number (`floor(time / bucketMs)`) of the newest bucket in the windows. */
  last: number;
  /** How many buckets each window holds (fewer than `size` when asked `since`). */
  count: number;
  groups: Record<string, { tally: GroupTally; series: SeriesWindow }>;
  deployments: Record<string, { tally: DeploymentTally; series: SeriesWindow }>;
  recentErrors: RecentError[];
}

export interface DashboardOptions {
  /** Bucket width, ms. Default 10 000. */
  bucketMs?: number;
  /** Buckets kept. Default 90 (15 minutes of 10 s). */
  buckets?: number;
  /** Recent errors kept. Default 50. */
  recentErrors?: number;
  /** Most subjects (groups + deployments) tracked; more are ignored. Default 2000. */
  maxSubjects?: number;
}

const requestsField = 0;
const errorsField = 1;
const rateLimitedField = 2;
const quotaField = 3;
const fieldCount = 4;
/** Requests waiting to be retried elsewhere, most kept at once. */
const maxPending = 10_000;

interface Subject<T> {
  tally: T;
  ring: SeriesRing;
}

function newDeploymentTally(): DeploymentTally {
  return {
    inFlight: 0,
    attempts: 0,
    errors: {},
    failoversFrom: 0,
    failoversTo: 0,
    recoveries: 0,
    hedgesWon: 0,
  };
}

/**
 * Collects what the web dashboard charts and tabulates from engine events: per model group and per
 * deployment, requests, errors and 429s in 10-second buckets over the last 15 minutes (plus quota use,
 * sampled by the caller through `recordQuota`), in-flight attempts, errors by kind, failovers and
 * recoveries, and the last errors with their upstream reason. Bounded memory; an event costs a few
 * array writes.
 */
export class DashboardCollector {
  readonly bucketMs: number;
  readonly size: number;
  readonly #maxSubjects: number;
  readonly #maxErrors: number;
  readonly #groups = new Map<string, Subject<GroupTally>>();
  readonly #deployments = new Map<string, Subject<DeploymentTally>>();
  readonly #errors: RecentError[] = [];
  /** Request id → the failed attempt it may go on from. */
  readonly #pending = new Map<string, { deploymentId: string; afterCommit: boolean }>();

  constructor(options: DashboardOptions = {}) {
    this.bucketMs = options.bucketMs ?? 10_000;
    this.size = options.buckets ?? 90;
    this.#maxErrors = options.recentErrors ?? 50;
    this.#maxSubjects = options.maxSubjects ?? 2000;
  }

  /** The engine event listener to subscribe. */
  readonly listener = (event: EngineEvent): void => {
    switch (event.type) {
      case "attempt_start": {
        const deployment = this.#deployment(event.deploymentId);
        if (deployment) deployment.tally.inFlight += 1;
        if (event.attempt > 1) this.#failover(event.requestId, event.group, event.deploymentId);
        return;
      }
      case "attempt_end":
        this.#attemptEnd(event);
        return;
      case "request_end": {
        this.#pending.delete(event.requestId);
        const group = this.#group(event.group);
        if (!group) return;
        group.tally.requests += 1;
        group.ring.add(requestsField, event.at);
        if (event.outcome === "failure") {
          group.tally.failures += 1;
          group.ring.add(errorsField, event.at);
          if (event.errorCode === "rate_limited") group.ring.add(rateLimitedField, event.at);
        }
        return;
      }
      case "circuit":
        if (event.to === "closed" && event.from !== "closed") {
          const deployment = this.#deployment(event.deploymentId);
          if (deployment) deployment.tally.recoveries += 1;
        }
        return;
      case "stream_recovery": {
        const group = this.#group(event.group);
        const recovered = event.result !== "failed";
        if (group) {
          if (recovered) group.tally.recoveries += 1;
          else group.tally.recoveriesFailed += 1;
        }
        const target =
          recovered && event.toDeploymentId !== null ? this.#deployment(event.toDeploymentId) : null;
        if (target) target.tally.recoveries += 1;
        return;
      }
      case "hedge": {
        if (event.result === "started") {
          const group = this.#group(event.group);
          if (group) group.tally.hedges += 1;
        } else if (event.result === "won") {
          const deployment = this.#deployment(event.deploymentId);
          if (deployment) deployment.tally.hedgesWon += 1;
        }
        return;
      }
      default:
        return;
    }
  };

  #attemptEnd(event: AttemptEndEvent): void {
    const deployment = this.#deployment(event.deploymentId);
    if (!deployment) return;
    const { tally, ring } = deployment;
    tally.inFlight = Math.max(0, tally.inFlight - 1);
    // A request llmux could not send never reached the deployment; a caller's abort is not its failure.
    if (event.failure === "local") return;
    tally.attempts += 1;
    ring.add(requestsField, event.at);
    if (event.outcome === "success" || event.failure === "aborted") return;
    const kind = event.failure ?? "unknown";
    tally.errors[kind] = (tally.errors[kind] ?? 0) + 1;
    ring.add(errorsField, event.at);
    if (kind === "rate_limited" || kind === "quota_exhausted") ring.add(rateLimitedField, event.at);
    if (this.#pending.size >= maxPending) this.#pending.clear();
    this.#pending.set(event.requestId, { deploymentId: event.deploymentId, afterCommit: event.afterCommit });
    this.#errors.push({
      at: event.at,
      requestId: event.requestId,
      group: event.group,
      deploymentId: event.deploymentId,
      kind,
      status: event.status,
      message: event.message === null ? null : event.message.slice(0, 500),
      afterCommit: event.afterCommit,
    });
    if (this.#errors.length > this.#maxErrors) this.#errors.shift();
  }

  #failover(requestId: string, groupName: string, to: string): void {
    const group = this.#group(groupName);
    if (group) group.tally.failovers += 1;
    const target = this.#deployment(to);
    if (target) target.tally.failoversTo += 1;
    const from = this.#pending.get(requestId);
    if (!from) return;
    this.#pending.delete(requestId);
    const source = this.#deployment(from.deploymentId);
    if (source) source.tally.failoversFrom += 1;
  }

  #subjects(): number {
    return this.#groups.size + this.#deployments.size;
  }

  #group(name: string): Subject<GroupTally> | undefined {
    let subject = this.#groups.get(name);
    if (!subject && this.#subjects() < this.#maxSubjects) {
      subject = {
        tally: { requests: 0, failures: 0, failovers: 0, recoveries: 0, recoveriesFailed: 0, hedges: 0 },
        ring: this.#ring(),
      };
      this.#groups.set(name, subject);
    }
    return subject;
  }

  #deployment(id: string): Subject<DeploymentTally> | undefined {
    let subject = this.#deployments.get(id);
    if (!subject && this.#subjects() < this.#maxSubjects) {
      subject = { tally: newDeploymentTally(), ring: this.#ring() };
      this.#deployments.set(id, subject);
    }
    return subject;
  }

  #ring(): SeriesRing {
    return new SeriesRing(this.bucketMs, this.size, fieldCount);
  }

  /** Records a quota use (0–1: the share of the subject's capacity in use) at `now`. */
  recordQuota(kind: "group" | "deployment", key: string, used: number, now: number): void {
    const subject = kind === "group" ? this.#group(key) : this.#deployment(key);
    subject?.ring.max(quotaField, now, Math.round(Math.min(1, Math.max(0, used)) * 100));
  }

  /** In-flight attempts of a deployment on this node. */
  inFlight(deploymentId: string): number {
    return this.#deployments.get(deploymentId)?.tally.inFlight ?? 0;
  }

  /**
   * Forgets groups and deployments no longer in the plan (after a reload), except deployments that
   * still have attempts in flight: they are draining.
   */
  retain(groups: ReadonlySet<string>, deployments: ReadonlySet<string>): void {
    for (const name of this.#groups.keys()) if (!groups.has(name)) this.#groups.delete(name);
    for (const [id, subject] of this.#deployments)
      if (!deployments.has(id) && subject.tally.inFlight === 0) this.#deployments.delete(id);
  }

  /** Deployments tracked but not in `deployments`, with attempts still in flight (draining after a reload). */
  draining(deployments: ReadonlySet<string>): Array<{ id: string; inFlight: number }> {
    const out: Array<{ id: string; inFlight: number }> = [];
    for (const [id, subject] of this.#deployments)
      if (!deployments.has(id) && subject.tally.inFlight > 0)
        out.push({ id, inFlight: subject.tally.inFlight });
    return out;
  }

  /** The read-out at `now`: the whole span, or only the buckets from `since` (an absolute bucket number) on. */
  snapshot(now: number, since?: number): DashboardSnapshot {
    const last = Math.floor(now / this.bucketMs);
    const count = since === undefined ? this.size : Math.max(1, Math.min(this.size, last - since + 1));
    const windowOf = (ring: SeriesRing): SeriesWindow => ({
      requests: ring.window(requestsField, last, count, 0),
      errors: ring.window(errorsField, last, count, 0),
      rateLimited: ring.window(rateLimitedField, last, count, 0),
      quota: ring.window(quotaField, last, count, null),
    });
    const groups: DashboardSnapshot["groups"] = {};
    for (const [name, subject] of this.#groups)
      groups[name] = { tally: { ...subject.tally }, series: windowOf(subject.ring) };
    const deployments: DashboardSnapshot["deployments"] = {};
    for (const [id, subject] of this.#deployments)
      deployments[id] = {
        tally: { ...subject.tally, errors: { ...subject.tally.errors } },
        series: windowOf(subject.ring),
      };
    return {
      bucketMs: this.bucketMs,
      size: this.size,
      last,
      count,
      groups,
      deployments,
      recentErrors: [...this.#errors].reverse(),
    };
  }
}
