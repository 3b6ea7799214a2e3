function normalise(text: string): string {
  return text.toLowerCase().replace(/[-_\s]/g, "");
}

/**
 * Edit distance counting insertions, deletions, substitutions and swaps of two neighbours
 * (optimal string alignment), so `tpye` is one edit from `type`.
 */
function distance(a: string, b: string): number {
  const rows: number[][] = [Array.from({ length: b.length + 1 }, (_, index) => index)];
  for (let i = 1; i <= a.length; i += 1) {
    const previous = rows[i - 1] ?? [];
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        best = Math.min(best, (rows[i - 2]?.[j - 2] ?? 0) + 1);
      current[j] = best;
    }
    rows.push(current);
  }
  return rows[a.length]?.[b.length] ?? 0;
}

/**
 * The known word closest to `word` when it is close enough to be a likely typo (`api-key` →
 * `api_key`, `modles` → `models`, `grok` → `groq`, `tpye` → `type`); null otherwise. Case, `-` and `_` do not count.
 */
export function closest(word: string, known: readonly string[]): string | null {
  const target = normalise(word);
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const candidate of known) {
    const d = distance(target, normalise(candidate));
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  const allowed = Math.max(1, Math.floor(target.length / 3));
  return best !== null && bestDistance <= allowed ? best : null;
}

/** ` (did you mean "x"?)` or "". */
export function didYouMean(word: string, known: readonly string[]): string {
  const match = closest(word, known);
  return match === null ? "" : ` (did you mean "${match}"?)`;
}
