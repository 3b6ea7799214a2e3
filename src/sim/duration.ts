/**
 * Formats milliseconds as a Go `time.Duration` string, the format of OpenAI's `x-ratelimit-reset-*` headers:
 * `0s`, `20ms`, `1s`, `1.2s`, `6m0s`, `2m59.56s`, `1h0m0s`. Sub-millisecond parts are rounded up (float noise such as `1600.0000000002` is not).
 */
export function formatGoDuration(ms: number): string {
  const whole = roundUp(ms);
  if (!(whole > 0)) return "0s";
  if (whole < 1000) return `${whole}ms`;
  const hours = Math.floor(whole / 3_600_000);
  const minutes = Math.floor((whole % 3_600_000) / 60_000);
  const seconds = formatSeconds(whole % 60_000);
  if (hours > 0) return `${hours}h${minutes}m${seconds}s`;
  if (minutes > 0) return `${minutes}m${seconds}s`;
  return `${seconds}s`;
}

/** `1500` → `"1.5"`, `2000` → `"2"`, `59560` → `"59.56"`. */
function formatSeconds(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  const fraction = ms % 1000;
  if (fraction === 0) return String(seconds);
  return `${seconds}.${String(fraction).padStart(3, "0").replace(/0+$/, "")}`;
}

/**
 * Formats milliseconds as a protobuf `Duration` string, the format of Gemini's `RetryInfo.retryDelay`:
 * `22s`, `1.5s`, `0.02s`. Sub-millisecond parts are rounded up.
 */
export function formatProtoDuration(ms: number): string {
  const whole = roundUp(ms);
  return whole > 0 ? `${formatSeconds(whole)}s` : "0s";
}

/** Rounds up to whole milliseconds, forgiving float noise (a refill time of `1600.0000000002` is 1600). */
function roundUp(ms: number): number {
  return Math.ceil(ms - 1e-6);
}
