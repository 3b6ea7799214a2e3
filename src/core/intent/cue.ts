/**
 * One lexical cue: an ASCII pattern (with one leading `\b`, which lets the regex engine skip most
 * positions fast) and, optionally, the alternatives in other scripts (accented Latin, Cyrillic, CJK),
 * run only when the text has a non-ASCII character. Global patterns are counted, others tested.
 */
export interface Cue {
  readonly ascii: RegExp;
  readonly other: RegExp | null;
}

/** Builds a cue from alternatives; `ascii` is wrapped in `\b(?:…)`, `other` is used as given. */
export function cue(ascii: readonly string[], other: readonly string[] = [], flags = ""): Cue {
  return {
    ascii: new RegExp(`\\b(?:${ascii.join("|")})`, flags),
    other: other.length === 0 ? null : new RegExp(other.join("|"), flags),
  };
}

/** A word list: like {@link cue}, but every alternative must end at a word end; matched globally. */
export function words(ascii: readonly string[], other: readonly string[] = []): Cue {
  return {
    ascii: new RegExp(`\\b(${ascii.join("|")})(?![a-z0-9_])`, "g"),
    other: other.length === 0 ? null : new RegExp(`(${other.join("|")})`, "g"),
  };
}

const nonAscii = /[^\u0020-\u007e\t\n\r]/;

/** Whether a text has a character outside printable ASCII and whitespace (then the `other` patterns run). */
export function hasNonAscii(text: string): boolean {
  return nonAscii.test(text);
}

/** Whether the cue occurs in `text`. */
export function testCue(found: Cue, text: string, other: boolean): boolean {
  if (text.length === 0) return false;
  return found.ascii.test(text) || (other && found.other !== null && found.other.test(text));
}

/** Distinct matches of a global pattern (its first group if it has one), added to `seen`, up to `cap`. */
function collectDistinct(pattern: RegExp, text: string, cap: number, seen: Set<string>): void {
  pattern.lastIndex = 0;
  for (let match = pattern.exec(text); match !== null && seen.size < cap; match = pattern.exec(text)) {
    seen.add(match[1] ?? match[0]);
    if (match[0].length === 0) pattern.lastIndex += 1;
  }
  pattern.lastIndex = 0;
}

/** Distinct matches of a global cue in `text`, up to `cap`. */
export function countDistinct(found: Cue, text: string, other: boolean, cap: number): number {
  if (text.length === 0) return 0;
  const seen = new Set<string>();
  collectDistinct(found.ascii, text, cap, seen);
  if (other && found.other !== null) collectDistinct(found.other, text, cap, seen);
  return seen.size;
}

/** Matches of a global pattern in `text`, up to `cap`. */
export function countMatches(pattern: RegExp, text: string, cap: number): number {
  let count = 0;
  pattern.lastIndex = 0;
  for (let match = pattern.exec(text); match !== null && count < cap; match = pattern.exec(text)) {
    count += 1;
    if (match[0].length === 0) pattern.lastIndex += 1;
  }
  pattern.lastIndex = 0;
  return count;
}
