import { describe, expect, it } from "vitest";
import { Deadlines } from "../../src/core/deadlines.js";
import { DEFAULT_HEDGE_MS, FirstTokenTimes, HedgeTimer } from "../../src/core/session/hedge.js";
import type { Clock, TimerHandle } from "../../src/types/index.js";

describe("FirstTokenTimes", () => {
  it("uses the default before history, capped by half the first-token timeout", () => {
    const times = new FirstTokenTimes();
    expect(times.delay("a", 60_000, null)).toBe(DEFAULT_HEDGE_MS);
    expect(times.delay("a", 5_000, null)).toBe(2_500);
    expect(times.delay("a", 60_000, 700)).toBe(700);
  });

  it("hedges after p95 × 2 of the observed TTFT once there are enough samples", () => {
    const times = new FirstTokenTimes();
    for (const ms of [100, 120, 110, 90, 300]) times.observe("a", ms);
    expect(times.p95("a")).toBe(300);
    expect(times.delay("a", 60_000, null)).toBe(600);
    expect(times.delay("a", 1_000, null)).toBe(500);
    expect(times.p95("b")).toBeNull();
  });

  it("keeps a ring of recent samples", () => {
    const times = new FirstTokenTimes();
    for (let index = 0; index < 40; index += 1) times.observe("a", 1_000);
    for (let index = 0; index < 32; index += 1) times.observe("a", 100);
    expect(times.p95("a")).toBe(100);
  });
});

/** A clock whose timers run only when the test moves it. */
class ManualClock implements Clock {
  current = 1_000;
  #timers: Array<{ at: number; callback: () => void; id: number }> = [];
  #next = 0;
  now(): number {
    return this.current;
  }
  setTimeout(callback: () => void, ms: number): TimerHandle {
    const id = (this.#next += 1);
    this.#timers.push({ at: this.current + ms, callback, id });
    return { id };
  }
  clearTimeout(handle: TimerHandle): void {
    this.#timers = this.#timers.filter((timer) => timer.id !== handle.id);
  }
  advance(ms: number): void {
    this.current += ms;
    const due = this.#timers.filter((timer) => timer.at <= this.current);
    this.#timers = this.#timers.filter((timer) => timer.at > this.current);
    for (const timer of due) timer.callback();
  }
}

describe("HedgeTimer", () => {
  it("fires through the shared deadline heap, on a manual clock", async () => {
    const clock = new ManualClock();
    const deadlines = new Deadlines(clock);
    const timer = new HedgeTimer();
    let fired = false;
    void timer.fired.then(() => (fired = true));
    deadlines.add(timer, clock.now() + 100);
    clock.advance(99);
    await Promise.resolve();
    expect(fired).toBe(false);
    clock.advance(1);
    await Promise.resolve();
    expect(fired).toBe(true);
  });

  it("removed before it is due, it never fires", async () => {
    const clock = new ManualClock();
    const deadlines = new Deadlines(clock);
    const timer = new HedgeTimer();
    let fired = false;
    void timer.fired.then(() => (fired = true));
    deadlines.add(timer, clock.now() + 100);
    deadlines.remove(timer);
    clock.advance(200);
    await Promise.resolve();
    expect(fired).toBe(false);
  });
});
