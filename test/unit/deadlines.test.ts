import { describe, expect, it } from "vitest";
import { Deadlines, type Timed } from "../../src/core/deadlines.js";
import type { Clock, TimerHandle } from "../../src/types/index.js";

/** A clock whose timers fire only when the test advances it. */
class ManualClock implements Clock {
  current = 0;
  armed = 0;
  readonly #timers = new Map<number, { at: number; callback: () => void }>();
  #next = 0;

  now(): number {
    return this.current;
  }

  setTimeout(callback: () => void, ms: number): TimerHandle {
    this.armed += 1;
    const id = (this.#next += 1);
    this.#timers.set(id, { at: this.current + ms, callback });
    return { id };
  }

  clearTimeout(handle: TimerHandle): void {
    this.#timers.delete(handle.id as number);
  }

  get pending(): number {
    return this.#timers.size;
  }

  advance(ms: number): void {
    const until = this.current + ms;
    for (;;) {
      let due: [number, { at: number; callback: () => void }] | undefined;
      for (const entry of this.#timers)
        if (entry[1].at <= until && (!due || entry[1].at < due[1].at)) due = entry;
      if (!due) break;
      this.#timers.delete(due[0]);
      this.current = Math.max(this.current, due[1].at);
      due[1].callback();
    }
    this.current = until;
  }
}

function entry(name: string, fired: string[]): Timed & { name: string } {
  return { name, deadlineSlot: -1, deadlineAt: 0, onDeadline: () => fired.push(name) };
}

describe("Deadlines", () => {
  it("fires entries in due order, each once, on one clock timer", () => {
    const clock = new ManualClock();
    const deadlines = new Deadlines(clock);
    const fired: string[] = [];
    const names = ["e", "b", "d", "a", "c"];
    const at = { a: 10, b: 20, c: 30, d: 40, e: 50 } as Record<string, number>;
    for (const name of names) deadlines.add(entry(name, fired), at[name]!);
    expect(deadlines.size).toBe(5);
    expect(clock.pending).toBe(1);
    clock.advance(25);
    expect(fired).toEqual(["a", "b"]);
    clock.advance(100);
    expect(fired).toEqual(["a", "b", "c", "d", "e"]);
    expect(deadlines.size).toBe(0);
    expect(clock.pending).toBe(0);
  });

  it("re-arms the timer only when a new entry becomes the earliest", () => {
    const clock = new ManualClock();
    const deadlines = new Deadlines(clock);
    const fired: string[] = [];
    deadlines.add(entry("first", fired), 100);
    for (let index = 0; index < 50; index += 1) deadlines.add(entry(`later${index}`, fired), 200 + index);
    expect(clock.armed).toBe(1);
    deadlines.add(entry("earlier", fired), 50);
    expect(clock.armed).toBe(2);
    clock.advance(60);
    expect(fired).toEqual(["earlier"]);
  });

  it("removes entries from anywhere in the heap and never fires them", () => {
    const clock = new ManualClock();
    const deadlines = new Deadlines(clock);
    const fired: string[] = [];
    const entries = Array.from({ length: 20 }, (_, index) => entry(`n${index}`, fired));
    entries.forEach((item, index) => deadlines.add(item, 100 + ((index * 7) % 20)));
    for (const index of [0, 5, 19, 10]) deadlines.remove(entries[index]!);
    expect(entries[5]!.deadlineSlot).toBe(-1);
    deadlines.remove(entries[5]!); // no-op
    expect(deadlines.size).toBe(16);
    clock.advance(1_000);
    expect(fired).toHaveLength(16);
    expect(fired).not.toContain("n0");
    expect(fired).not.toContain("n5");
    const dueTimes = fired.map((name) => 100 + ((Number(name.slice(1)) * 7) % 20));
    expect(dueTimes).toEqual([...dueTimes].sort((a, b) => a - b));
  });

  it("re-schedules an entry added twice instead of holding it twice", () => {
    const clock = new ManualClock();
    const deadlines = new Deadlines(clock);
    const fired: string[] = [];
    const item = entry("x", fired);
    deadlines.add(item, 10);
    deadlines.add(item, 500);
    expect(deadlines.size).toBe(1);
    clock.advance(100);
    expect(fired).toEqual([]);
    clock.advance(500);
    expect(fired).toEqual(["x"]);
  });

  it("removing the earliest entry lets the later one fire at its own time", () => {
    const clock = new ManualClock();
    const deadlines = new Deadlines(clock);
    const fired: string[] = [];
    const early = entry("early", fired);
    deadlines.add(early, 10);
    deadlines.add(entry("late", fired), 300);
    deadlines.remove(early);
    clock.advance(50);
    expect(fired).toEqual([]);
    clock.advance(300);
    expect(fired).toEqual(["late"]);
  });

  it("an entry added from inside onDeadline is scheduled and fires", () => {
    const clock = new ManualClock();
    const deadlines = new Deadlines(clock);
    const fired: string[] = [];
    const again = entry("again", fired);
    deadlines.add(
      {
        deadlineSlot: -1,
        deadlineAt: 0,
        onDeadline: () => {
          fired.push("first");
          deadlines.add(again, clock.now() + 20);
        },
      },
      10,
    );
    clock.advance(15);
    expect(fired).toEqual(["first"]);
    clock.advance(20);
    expect(fired).toEqual(["first", "again"]);
  });
});
