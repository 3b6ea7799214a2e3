import type { Rng } from "../types/index.js";

/** What a strategy needs to know about a candidate. */
export interface Weighted {
  readonly weight: number;
}

/** Weighted random pick; returns the index into `candidates` (-1 when empty). */
export function pickWeighted(candidates: readonly Weighted[], rng: Rng): number {
  if (candidates.length <= 1) return candidates.length - 1;
  let total = 0;
  for (const candidate of candidates) total += Math.max(0, candidate.weight);
  if (total <= 0) return Math.floor(rng() * candidates.length);
  let point = rng() * total;
  for (let index = 0; index < candidates.length; index += 1) {
    point -= Math.max(0, candidates[index]?.weight ?? 0);
    if (point < 0) return index;
  }
  return candidates.length - 1;
}

/**
 * Round-robin over a fixed list: the first index at or after `cursor` (wrapping) for which
 * `usable(index)` holds, or -1. The caller stores `index + 1` as the next cursor.
 */
export function pickRoundRobin(length: number, cursor: number, usable: (index: number) => boolean): number {
  for (let step = 0; step < length; step += 1) {
    const index = (cursor + step) % length;
    if (usable(index)) return index;
  }
  return -1;
}
