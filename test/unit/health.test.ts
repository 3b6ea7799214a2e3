import { describe, expect, it } from "vitest";
import { MemoryStateStore } from "../../src/state/memory-store.js";
import {
  admit,
  availableAt,
  coolDown,
  disable,
  freshHealth,
  recordFailure,
  recordSuccess,
} from "../../src/state/health.js";
import { isAvailable } from "../../src/state/deployment-state.js";
import type { CircuitPolicy, DeploymentHealth, FailureKind } from "../../src/types/index.js";

const policy: CircuitPolicy = { failureThreshold: 3, openMs: 10_000, maxOpenMs: 35_000, probeLeaseMs: 5_000 };
const t0 = 1_000_000;

function health(overrides: Partial<DeploymentHealth> = {}): DeploymentHealth {
  return { ...freshHealth(), ...overrides };
}

function failTimes(h: DeploymentHealth, times: number, now: number): void {
  for (let i = 0; i < times; i += 1) recordFailure(h, now, policy);
}

describe("freshHealth", () => {
  it("is closed, cool and enabled", () => {
    expect(freshHealth()).toEqual({
      cooldownUntil: 0,
      cooldownReason: null,
      backoffLevel: 0,
      circuit: "closed",
      consecutiveFailures: 0,
      circuitOpenUntil: 0,
      circuitOpenCount: 0,
      probeLeaseUntil: 0,
      disabledReason: null,
      disabledAt: 0,
    });
    expect(freshHealth()).not.toBe(freshHealth());
  });
});

describe("coolDown", () => {
  it.each<
    [
      string,
      [until: number, reason: FailureKind, escalate: boolean][],
      Pick<DeploymentHealth, "cooldownUntil" | "cooldownReason" | "backoffLevel">,
    ]
  >([
    [
      "first cooldown",
      [[t0 + 5_000, "rate_limited", false]],
      { cooldownUntil: t0 + 5_000, cooldownReason: "rate_limited", backoffLevel: 0 },
    ],
    [
      "longer cooldown extends and changes the reason",
      [
        [t0 + 5_000, "rate_limited", false],
        [t0 + 9_000, "overloaded", false],
      ],
      { cooldownUntil: t0 + 9_000, cooldownReason: "overloaded", backoffLevel: 0 },
    ],
    [
      "shorter cooldown never shortens nor changes the reason",
      [
        [t0 + 5_000, "rate_limited", false],
        [t0 + 1_000, "overloaded", false],
      ],
      { cooldownUntil: t0 + 5_000, cooldownReason: "rate_limited", backoffLevel: 0 },
    ],
    [
      "equal cooldown keeps the first reason",
      [
        [t0 + 5_000, "quota_exhausted", false],
        [t0 + 5_000, "rate_limited", false],
      ],
      { cooldownUntil: t0 + 5_000, cooldownReason: "quota_exhausted", backoffLevel: 0 },
    ],
    [
      "escalate raises the backoff level each time",
      [
        [t0 + 1_000, "rate_limited", true],
        [t0 + 2_000, "rate_limited", true],
        [t0 + 4_000, "rate_limited", true],
      ],
      { cooldownUntil: t0 + 4_000, cooldownReason: "rate_limited", backoffLevel: 3 },
    ],
    [
      "escalate raises the level even when the cooldown is not extended",
      [
        [t0 + 9_000, "rate_limited", true],
        [t0 + 1_000, "rate_limited", true],
      ],
      { cooldownUntil: t0 + 9_000, cooldownReason: "rate_limited", backoffLevel: 2 },
    ],
    [
      "a non-escalating cooldown resets the level",
      [
        [t0 + 1_000, "rate_limited", true],
        [t0 + 2_000, "rate_limited", true],
        [t0 + 3_000, "rate_limited", false],
      ],
      { cooldownUntil: t0 + 3_000, cooldownReason: "rate_limited", backoffLevel: 0 },
    ],
  ])("%s", (_name, steps, expected) => {
    const h = health();
    for (const [until, reason, escalate] of steps) coolDown(h, until, reason, escalate);
    expect({
      cooldownUntil: h.cooldownUntil,
      cooldownReason: h.cooldownReason,
      backoffLevel: h.backoffLevel,
    }).toEqual(expected);
  });

  it("does not touch the circuit", () => {
    const h = health();
    coolDown(h, t0 + 1_000, "server_error", false);
    expect(h.circuit).toBe("closed");
    expect(h.consecutiveFailures).toBe(0);
  });
});

describe("circuit breaker", () => {
  it("opens after failureThreshold consecutive failures", () => {
    const h = health();
    expect(recordFailure(h, t0, policy)).toBeNull();
    expect(recordFailure(h, t0 + 1, policy)).toBeNull();
    expect(h.circuit).toBe("closed");
    expect(recordFailure(h, t0 + 2, policy)).toEqual({ from: "closed", to: "open", until: t0 + 2 + 10_000 });
    expect(h).toMatchObject({
      circuit: "open",
      consecutiveFailures: 3,
      circuitOpenUntil: t0 + 10_002,
      circuitOpenCount: 1,
      probeLeaseUntil: 0,
    });
  });

  it("stays closed when a success interleaves", () => {
    const h = health();
    failTimes(h, 2, t0);
    expect(recordSuccess(h)).toBeNull();
    expect(h.consecutiveFailures).toBe(0);
    failTimes(h, 2, t0);
    expect(h.circuit).toBe("closed");
    expect(recordFailure(h, t0, policy)).toEqual({ from: "closed", to: "open", until: t0 + 10_000 });
  });

  it("failures while open do not change it", () => {
    const h = health();
    failTimes(h, 3, t0);
    expect(recordFailure(h, t0 + 1_000, policy)).toBeNull();
    expect(h).toMatchObject({
      circuit: "open",
      circuitOpenUntil: t0 + 10_000,
      circuitOpenCount: 1,
      consecutiveFailures: 4,
    });
  });

  it("open → half-open probe after openMs; one probe at a time", () => {
    const h = health();
    failTimes(h, 3, t0);
    expect(admit(h, t0 + 9_999, policy.probeLeaseMs)).toEqual({
      ok: false,
      reason: "circuit_open",
      until: t0 + 10_000,
    });
    expect(h.circuit).toBe("open");
    expect(admit(h, t0 + 10_000, policy.probeLeaseMs)).toEqual({ ok: true, probe: true });
    expect(h).toMatchObject({ circuit: "half_open", probeLeaseUntil: t0 + 15_000 });
    expect(admit(h, t0 + 10_001, policy.probeLeaseMs)).toEqual({
      ok: false,
      reason: "probe_in_flight",
      until: t0 + 15_000,
    });
    expect(admit(h, t0 + 14_999, policy.probeLeaseMs)).toEqual({
      ok: false,
      reason: "probe_in_flight",
      until: t0 + 15_000,
    });
    // lease expired without an outcome: the next caller becomes the probe
    expect(admit(h, t0 + 15_000, policy.probeLeaseMs)).toEqual({ ok: true, probe: true });
    expect(h.probeLeaseUntil).toBe(t0 + 20_000);
  });

  it("probe failure re-opens with doubled duration, capped at maxOpenMs", () => {
    const h = health();
    failTimes(h, 3, t0);
    const opens: number[] = [];
    let now = t0 + 10_000;
    for (let round = 0; round < 4; round += 1) {
      expect(admit(h, now, policy.probeLeaseMs)).toEqual({ ok: true, probe: true });
      const change = recordFailure(h, now + 10, policy);
      expect(change?.from).toBe("half_open");
      expect(change?.to).toBe("open");
      opens.push(change!.until - (now + 10));
      expect(h.probeLeaseUntil).toBe(0);
      now = change!.until;
    }
    // 10 s first, then 20 s, 40 s → capped 35 s, 80 s → capped 35 s
    expect(opens).toEqual([20_000, 35_000, 35_000, 35_000]);
    expect(h.circuitOpenCount).toBe(5);
  });

  it("probe success closes and resets the counts", () => {
    const h = health({ backoffLevel: 4 });
    failTimes(h, 3, t0);
    admit(h, t0 + 10_000, policy.probeLeaseMs);
    expect(recordSuccess(h)).toEqual({ from: "half_open", to: "closed", until: 0 });
    expect(h).toMatchObject({
      circuit: "closed",
      consecutiveFailures: 0,
      circuitOpenCount: 0,
      circuitOpenUntil: 0,
      probeLeaseUntil: 0,
      backoffLevel: 0,
    });
    // the next opening starts from openMs again
    failTimes(h, 2, t0 + 20_000);
    expect(recordFailure(h, t0 + 20_000, policy)).toEqual({ from: "closed", to: "open", until: t0 + 30_000 });
  });

  it("success while open closes it", () => {
    const h = health();
    failTimes(h, 3, t0);
    expect(recordSuccess(h)).toEqual({ from: "open", to: "closed", until: 0 });
    expect(admit(h, t0 + 1, policy.probeLeaseMs)).toEqual({ ok: true, probe: false });
  });
});

describe("disable", () => {
  it("takes the deployment out of service", () => {
    const h = health();
    disable(h, "rejected key (HTTP 401): bad", t0);
    expect(h).toMatchObject({ disabledReason: "rejected key (HTTP 401): bad", disabledAt: t0 });
    expect(admit(h, t0 + 1e9, policy.probeLeaseMs)).toEqual({
      ok: false,
      reason: "disabled",
      until: Number.POSITIVE_INFINITY,
    });
  });
});

describe("admit", () => {
  it.each<[string, Partial<DeploymentHealth>, ReturnType<typeof admit>]>([
    ["fresh", {}, { ok: true, probe: false }],
    ["cooling", { cooldownUntil: t0 + 1 }, { ok: false, reason: "cooling", until: t0 + 1 }],
    ["cooldown just ended", { cooldownUntil: t0 }, { ok: true, probe: false }],
    [
      "disabled beats cooling",
      { disabledReason: "x", cooldownUntil: t0 + 5 },
      { ok: false, reason: "disabled", until: Number.POSITIVE_INFINITY },
    ],
    [
      "cooling beats circuit open",
      { cooldownUntil: t0 + 5, circuit: "open", circuitOpenUntil: t0 + 50 },
      { ok: false, reason: "cooling", until: t0 + 5 },
    ],
    [
      "open",
      { circuit: "open", circuitOpenUntil: t0 + 50 },
      { ok: false, reason: "circuit_open", until: t0 + 50 },
    ],
    ["open, time passed", { circuit: "open", circuitOpenUntil: t0 }, { ok: true, probe: true }],
    [
      "half-open, probe in flight",
      { circuit: "half_open", probeLeaseUntil: t0 + 7 },
      { ok: false, reason: "probe_in_flight", until: t0 + 7 },
    ],
    ["half-open, lease expired", { circuit: "half_open", probeLeaseUntil: t0 }, { ok: true, probe: true }],
  ])("%s", (_name, state, expected) => {
    expect(admit(health(state), t0, policy.probeLeaseMs)).toEqual(expected);
  });
});

describe("isAvailable / availableAt", () => {
  it.each<[string, Partial<DeploymentHealth>, boolean, number]>([
    ["fresh", {}, true, t0],
    ["cooling", { cooldownUntil: t0 + 500 }, false, t0 + 500],
    ["cooldown over", { cooldownUntil: t0 - 500 }, true, t0],
    ["cooldown ends now", { cooldownUntil: t0 }, true, t0],
    ["disabled", { disabledReason: "bad key" }, false, Number.POSITIVE_INFINITY],
    [
      "disabled and cooling",
      { disabledReason: "bad key", cooldownUntil: t0 + 5 },
      false,
      Number.POSITIVE_INFINITY,
    ],
    ["open", { circuit: "open", circuitOpenUntil: t0 + 10_000 }, false, t0 + 10_000],
    ["open, time passed (probe possible)", { circuit: "open", circuitOpenUntil: t0 - 1 }, true, t0],
    [
      "open and cooling longer",
      { circuit: "open", circuitOpenUntil: t0 + 100, cooldownUntil: t0 + 900 },
      false,
      t0 + 900,
    ],
    [
      "open longer than cooling",
      { circuit: "open", circuitOpenUntil: t0 + 900, cooldownUntil: t0 + 100 },
      false,
      t0 + 900,
    ],
    ["half-open, probe in flight", { circuit: "half_open", probeLeaseUntil: t0 + 3_000 }, false, t0 + 3_000],
    ["half-open, lease expired", { circuit: "half_open", probeLeaseUntil: t0 - 1 }, true, t0],
    ["closed ignores a stale lease", { circuit: "closed", probeLeaseUntil: t0 + 3_000 }, true, t0],
  ])("%s", (_name, state, available, at) => {
    const h = health(state);
    const before = { ...h };
    expect(isAvailable(h, t0)).toBe(available);
    expect(availableAt(h, t0)).toBe(at);
    expect(h).toEqual(before);
  });
});

describe("MemoryStateStore", () => {
  it("unknown ids read as fresh and are admitted", () => {
    const store = new MemoryStateStore();
    expect(store.health("nope")).toEqual(freshHealth());
    expect(store.admit("nope", t0, 1_000)).toEqual({ ok: true, probe: false });
    expect(store.recordSuccess("nope", t0)).toBeNull();
    expect(store.health("nope")).toEqual(freshHealth());
  });

  it("keeps deployments apart", () => {
    const store = new MemoryStateStore();
    store.coolDown("a", t0 + 1_000, "rate_limited", true);
    expect(store.health("a")).toMatchObject({
      cooldownUntil: t0 + 1_000,
      cooldownReason: "rate_limited",
      backoffLevel: 1,
    });
    expect(store.health("b")).toEqual(freshHealth());
  });

  it("runs the circuit with a fake clock", () => {
    const store = new MemoryStateStore();
    expect(store.recordFailure("a", t0, policy)).toBeNull();
    expect(store.recordFailure("a", t0, policy)).toBeNull();
    expect(store.recordFailure("a", t0, policy)).toEqual({ from: "closed", to: "open", until: t0 + 10_000 });
    expect(store.admit("a", t0 + 5_000, policy.probeLeaseMs)).toEqual({
      ok: false,
      reason: "circuit_open",
      until: t0 + 10_000,
    });
    expect(store.admit("a", t0 + 10_000, policy.probeLeaseMs)).toEqual({ ok: true, probe: true });
    expect(store.admit("a", t0 + 10_001, policy.probeLeaseMs)).toEqual({
      ok: false,
      reason: "probe_in_flight",
      until: t0 + 15_000,
    });
    expect(store.recordFailure("a", t0 + 11_000, policy)).toEqual({
      from: "half_open",
      to: "open",
      until: t0 + 31_000,
    });
    expect(store.admit("a", t0 + 31_000, policy.probeLeaseMs)).toEqual({ ok: true, probe: true });
    expect(store.recordSuccess("a", t0 + 31_500)).toEqual({ from: "half_open", to: "closed", until: 0 });
    expect(store.health("a")).toMatchObject({
      circuit: "closed",
      consecutiveFailures: 0,
      circuitOpenCount: 0,
    });
  });

  it("cooldown never shortens in the store either", () => {
    const store = new MemoryStateStore();
    store.coolDown("a", t0 + 9_000, "quota_exhausted", false);
    store.coolDown("a", t0 + 1_000, "rate_limited", false);
    expect(store.health("a")).toMatchObject({ cooldownUntil: t0 + 9_000, cooldownReason: "quota_exhausted" });
  });

  it("disable and enable", () => {
    const store = new MemoryStateStore();
    store.coolDown("a", t0 + 9_000, "rate_limited", true);
    store.disable("a", "model not found", t0);
    expect(store.health("a")).toMatchObject({ disabledReason: "model not found", disabledAt: t0 });
    expect(store.admit("a", t0, 1_000)).toEqual({
      ok: false,
      reason: "disabled",
      until: Number.POSITIVE_INFINITY,
    });
    store.enable("a");
    expect(store.health("a")).toEqual(freshHealth());
    expect(store.admit("a", t0, 1_000)).toEqual({ ok: true, probe: false });
  });

  it("clear forgets everything", () => {
    const store = new MemoryStateStore();
    store.disable("a", "x", t0);
    store.coolDown("b", t0 + 1, "overloaded", false);
    store.clear();
    expect(store.health("a")).toEqual(freshHealth());
    expect(store.health("b")).toEqual(freshHealth());
  });
});
