const durationPart = /(\d+(?:\.\d+)?)(h|ms|m|s|us|µs|ns)/g;
const unitMs: Record<string, number> = {
  h: 3_600_000,
  m: 60_000,
  s: 1000,
  ms: 1,
  us: 0.001,
  µs: 0.001,
  ns: 1e-6,
};

/**
 * Parses a Go-style duration as OpenAI and Groq send in `x-ratelimit-reset-*` (`1s`, `6m0s`, `20ms`,
 * `2m59.56s`) and Google's protobuf durations (`22s`, `10.689924287s`). Returns milliseconds, or null
 * when the text is not a duration.
 */
export function parseDuration(text: string): number | null {
  const trimmed = text.trim();
  if (trimmed === "") return null;
  if (trimmed === "0") return 0;
  let total = 0;
  let consumed = 0;
  durationPart.lastIndex = 0;
  for (let match = durationPart.exec(trimmed); match; match = durationPart.exec(trimmed)) {
    if (match.index !== consumed) return null;
    const [whole, amount = "0", unit = "s"] = match;
    total += Number(amount) * (unitMs[unit] ?? 0);
    consumed += whole.length;
  }
  if (consumed !== trimmed.length) return null;
  return Math.max(0, Math.round(total));
}
