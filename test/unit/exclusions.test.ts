import { describe, expect, it } from "vitest";
import type { Deployment } from "../../src/core/plan.js";
import { Exclusions } from "../../src/core/session/exclusions.js";
import type { RequestSession } from "../../src/core/session/request-session.js";

function deployment(id: string, model = "m", contextWindow: number | null = null): Deployment {
  return { id, model, contextWindow } as unknown as Deployment;
}

function session(options: { blocked?: Record<string, number>; allow?: (d: Deployment) => boolean } = {}) {
  const clock = { current: 100, now: () => clock.current };
  const fake = {
    allow: options.allow ?? null,
    requestTokens: () => 10,
    parts: {
      clock,
      windows: new Map<string, number>(),
      capacity: { blockedUntil: (d: Deployment) => options.blocked?.[d.id] ?? null },
    },
  };
  return { session: fake as unknown as RequestSession, clock, windows: fake.parts.windows };
}

describe("Exclusions", () => {
  it("lets every deployment through at first", () => {
    const exclusions = new Exclusions(session().session);
    expect(exclusions.eligible(deployment("a"))).toBe(true);
    expect(exclusions.earliestFull(0)).toBeNull();
  });

  it("keeps excluded deployments and the caller's filter out", () => {
    const exclusions = new Exclusions(session({ allow: (d) => d.id !== "b" }).session);
    exclusions.excluded.add("a");
    expect(exclusions.eligible(deployment("a"))).toBe(false);
    expect(exclusions.eligible(deployment("b"))).toBe(false);
    expect(exclusions.eligible(deployment("c"))).toBe(true);
  });

  it("remembers a deployment at its capacity until it frees", () => {
    const { session: fake, clock } = session({ blocked: { a: 150 } });
    const exclusions = new Exclusions(fake);
    expect(exclusions.eligible(deployment("a"))).toBe(false);
    expect(exclusions.full.get("a")).toBe(150);
    expect(exclusions.earliestFull(100)).toBe(150);
    clock.current = 200;
    expect(exclusions.earliestFull(200)).toBeNull();
  });

  it("after a context-length failure, keeps only larger windows and other models", () => {
    const { session: fake, windows } = session();
    const exclusions = new Exclusions(fake);
    exclusions.minContextWindow = 8000;
    exclusions.contextModels.add("small");
    windows.set("learned", 4000);
    expect(exclusions.eligible(deployment("a", "small", 128_000))).toBe(false);
    expect(exclusions.eligible(deployment("b", "m", 4000))).toBe(false);
    expect(exclusions.eligible(deployment("c", "m", 128_000))).toBe(true);
    expect(exclusions.eligible(deployment("d", "m", null))).toBe(true);
    expect(exclusions.eligible(deployment("learned", "m", null))).toBe(false);
  });

  it("makes each collection once and keeps it", () => {
    const exclusions = new Exclusions(session().session);
    expect(exclusions.retries).toBe(exclusions.retries);
    exclusions.pendingRetry.add("a");
    expect(exclusions.pendingRetry.has("a")).toBe(true);
  });
});
