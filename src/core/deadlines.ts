import type { Clock, TimerHandle } from "../types/index.js";

/** Something with a deadline: `onDeadline` runs once when it is due (unless removed first). */
export interface Timed {
  onDeadline(): void;
  /** Slot in the heap; -1 when not scheduled. Owned by `Deadlines`. */
  deadlineSlot: number;
  /** When it is due (clock ms). Owned by `Deadlines`. */
  deadlineAt: number;
}

/**
 * Every attempt timeout of an engine on one timer: a binary min-heap of due times, with a single
 * clock timer armed for the earliest. Adding and removing is O(log n) with no allocation (the
 * entries are the attempts themselves); most deadlines share one duration, so a new one rarely
 * becomes the earliest and the timer is rarely re-armed.
 */
export class Deadlines {
  readonly #heap: Timed[] = [];
  #timer: TimerHandle | null = null;
  #timerAt = Number.POSITIVE_INFINITY;

  constructor(private readonly clock: Clock) {}

  /** Schedules `entry` at `at` (clock ms); re-schedules it when it is scheduled already. */
  add(entry: Timed, at: number): void {
    if (entry.deadlineSlot >= 0) this.remove(entry);
    entry.deadlineAt = at;
    entry.deadlineSlot = this.#heap.length;
    this.#heap.push(entry);
    this.#up(entry.deadlineSlot);
    if (at < this.#timerAt) this.#arm();
  }

  /** Unschedules `entry` (no-op when it is not scheduled). */
  remove(entry: Timed): void {
    const slot = entry.deadlineSlot;
    if (slot < 0) return;
    entry.deadlineSlot = -1;
    const last = this.#heap.pop();
    if (last === undefined || last === entry) return;
    this.#heap[slot] = last;
    last.deadlineSlot = slot;
    this.#down(slot);
    this.#up(last.deadlineSlot);
  }

  /** Entries scheduled. */
  get size(): number {
    return this.#heap.length;
  }

  #arm(): void {
    if (this.#timer !== null) this.clock.clearTimeout(this.#timer);
    const first = this.#heap[0];
    if (first === undefined) {
      this.#timer = null;
      this.#timerAt = Number.POSITIVE_INFINITY;
      return;
    }
    this.#timerAt = first.deadlineAt;
    this.#timer = this.clock.setTimeout(() => this.#fire(), Math.max(1, first.deadlineAt - this.clock.now()));
  }

  #fire(): void {
    this.#timer = null;
    this.#timerAt = Number.POSITIVE_INFINITY;
    const now = this.clock.now();
    for (let first = this.#heap[0]; first !== undefined && first.deadlineAt <= now; first = this.#heap[0]) {
      this.remove(first);
      first.onDeadline();
    }
    const next = this.#heap[0];
    if (next !== undefined && next.deadlineAt < this.#timerAt) this.#arm();
  }

  #up(slot: number): void {
    const heap = this.#heap;
    const entry = heap[slot]!;
    while (slot > 0) {
      const parentSlot = (slot - 1) >> 1;
      const parent = heap[parentSlot]!;
      if (parent.deadlineAt <= entry.deadlineAt) break;
      heap[slot] = parent;
      parent.deadlineSlot = slot;
      slot = parentSlot;
    }
    heap[slot] = entry;
    entry.deadlineSlot = slot;
  }

  #down(slot: number): void {
    const heap = this.#heap;
    const entry = heap[slot]!;
    const size = heap.length;
    for (;;) {
      const left = 2 * slot + 1;
      if (left >= size) break;
      const right = left + 1;
      const child = right < size && heap[right]!.deadlineAt < heap[left]!.deadlineAt ? right : left;
      const smaller = heap[child]!;
      if (smaller.deadlineAt >= entry.deadlineAt) break;
      heap[slot] = smaller;
      smaller.deadlineSlot = slot;
      slot = child;
    }
    heap[slot] = entry;
    entry.deadlineSlot = slot;
  }
}
