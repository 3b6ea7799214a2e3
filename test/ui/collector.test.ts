/** The dashboard's collector: 15-minute series in a fixed ring, tallies from engine events, spend read-out. */
import { describe, expect, it } from "vitest";
import { DashboardCollector } from "../../src/observability/index.js";
import { SeriesRing } from "../../src/observability/series-ring.js";
import { dashboardSpendFrom } from "../../src/server/routes/ui-data.js";
import type { EngineEvent } from "../../src/types/index.js";

const base = { group: "smart", model: "m", provider: "p", stream: false };

function start(requestId: string, deploymentId: string, attempt: number, at: number): EngineEvent {
  return { type: "attempt_start", requestId, deploymentId, attempt, at, ...base } as EngineEvent;
}

function end(requestId: string, deploymentId: string, failure: string | null, at: number): EngineEvent {
  return {
    type: "attempt_end",
    requestId,
    deploymentId,
    attempt: 1,
    at,
    outcome: failure === null ? "success" : "failure",
    failure,
    status: failure === null ? 200 : 429,
    message: failure === null ? null : "slow down",
    durationMs: 5,
    firstTokenMs: null,
    usage: null,
    afterCommit: false,
    rateLimits: null,
    ...base,
  } as EngineEvent;
}

function requestEnd(requestId: string, outcome: "success" | "failure", at: number): EngineEvent {
  return {
    type: "request_end",
    requestId,
    outcome,
    errorCode: outcome === "failure" ? "rate_limited" : null,
    deploymentId: null,
    attempts: 1,
    durationMs: 5,
    upstreamMs: 5,
    at,
    ...base,
  } as EngineEvent;
}

describe("SeriesRing", () => {
  it("counts per bucket, reuses a slot when its time comes round, reads empty buckets as given", () => {
    const ring = new SeriesRing(1000, 3, 2);
    ring.add(0, 500);
    ring.add(0, 900);
    ring.add(0, 1500);
    ring.max(1, 1500, 40);
    ring.max(1, 1600, 30);
    expect(ring.window(0, 1, 3, 0)).toEqual([0, 2, 1]);
    expect(ring.window(1, 1, 2, null)).toEqual([null, 40]);
    // Bucket 3 lands in bucket 0's slot: the old count is gone.
    ring.add(0, 3100);
    expect(ring.window(0, 3, 3, 0)).toEqual([1, 0, 1]);
  });
});

describe("DashboardCollector", () => {
  it("tallies in-flight, errors by kind, failovers and the group's series; keeps recent errors", () => {
    const collector = new DashboardCollector({ bucketMs: 1000, buckets: 10 });
    const at = 10_000;
    collector.listener(start("r1", "a", 1, at));
    expect(collector.inFlight("a")).toBe(1);
    collector.listener(end("r1", "a", "rate_limited", at));
    collector.listener(start("r1", "b", 2, at));
    collector.listener(end("r1", "b", null, at));
    collector.listener(requestEnd("r1", "success", at));
    collector.listener(start("r2", "b", 1, at + 1000));
    collector.listener(end("r2", "b", null, at + 1000));
    collector.listener(requestEnd("r2", "success", at + 1000));
    const snapshot = collector.snapshot(at + 1000);
    expect(snapshot.deployments["a"]?.tally).toMatchObject({
      inFlight: 0,
      attempts: 1,
      errors: { rate_limited: 1 },
      failoversFrom: 1,
    });
    expect(snapshot.deployments["b"]?.tally).toMatchObject({ attempts: 2, errors: {}, failoversTo: 1 });
    expect(snapshot.groups["smart"]?.tally).toEqual({
      requests: 2,
      failures: 0,
      failovers: 1,
      recoveries: 0,
      recoveriesFailed: 0,
      hedges: 0,
    });
    expect(snapshot.groups["smart"]?.series.requests.slice(-2)).toEqual([1, 1]);
    expect(snapshot.deployments["a"]?.series.rateLimited.slice(-2)).toEqual([1, 0]);
    expect(snapshot.recentErrors).toMatchObject([
      { deploymentId: "a", kind: "rate_limited", status: 429, message: "slow down" },
    ]);
    // Since a bucket: only the buckets from it on.
    expect(collector.snapshot(at + 1000, 11).count).toBe(1);
    // After a reload drops "a", it is forgotten; a deployment with attempts in flight drains first.
    collector.listener(start("r3", "b", 1, at + 2000));
    collector.retain(new Set(["smart"]), new Set());
    expect(Object.keys(collector.snapshot(at + 2000).deployments)).toEqual(["b"]);
    expect(collector.draining(new Set())).toEqual([{ id: "b", inFlight: 1 }]);
  });
});

describe("DashboardCollector: recoveries and hedges", () => {
  it("counts stitched and failed recoveries per group and on the deployment that finished; hedges and their wins", () => {
    const collector = new DashboardCollector({ bucketMs: 1000, buckets: 10 });
    const at = 10_000;
    collector.listener(start("r1", "a", 1, at));
    collector.listener(start("r1", "b", 2, at));
    const recovery = (result: "prefill" | "spliced" | "failed", to: string | null): EngineEvent => ({
      type: "stream_recovery",
      requestId: "r1",
      group: "smart",
      deploymentId: "a",
      toDeploymentId: to,
      result,
      at,
    });
    collector.listener(recovery("prefill", "b"));
    collector.listener(recovery("spliced", "b"));
    collector.listener(recovery("failed", null));
    const hedge = (result: "started" | "won" | "lost"): EngineEvent => ({
      type: "hedge",
      requestId: "r2",
      group: "smart",
      deploymentId: "b",
      racedDeploymentId: "a",
      result,
      at,
    });
    collector.listener(hedge("started"));
    collector.listener(hedge("won"));
    collector.listener(hedge("started"));
    collector.listener(hedge("lost"));
    const snapshot = collector.snapshot(at);
    expect(snapshot.groups["smart"]?.tally).toMatchObject({ recoveries: 2, recoveriesFailed: 1, hedges: 2 });
    expect(snapshot.deployments["b"]?.tally).toMatchObject({ recoveries: 2, hedgesWon: 1 });
    expect(snapshot.deployments["a"]?.tally).toMatchObject({ recoveries: 0, hedgesWon: 0 });
  });
});

describe("dashboardSpendFrom", () => {
  it("reads spend per key (by name) and per group from spend control", async () => {
    const asked: Array<[string, number]> = [];
    const spend = dashboardSpendFrom(
      {
        report: async (by, since) => {
          asked.push([by, since]);
          return by === "key"
            ? [{ name: "key_1", keyName: "team-a", usd: 1.5 }]
            : [{ name: "smart", keyName: null, usd: 2 }];
        },
      },
      1000,
      () => 5000,
    );
    expect(await spend()).toEqual({
      keys: [{ name: "team-a", usd: 1.5 }],
      groups: [{ name: "smart", usd: 2 }],
    });
    expect(asked).toEqual([
      ["key", 4000],
      ["group", 4000],
    ]);
  });
});
