/** Small helpers of `bench/gateway.ts`: percentiles, /proc readings, table formatting. */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";

/** The `p`-th percentile (0–100) of `values` (nearest rank); 0 when empty. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = Float64Array.from(values).sort();
  const rank = Math.ceil((p / 100) * sorted.length) - 1;
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank))] ?? 0;
}

/** Output of a shell command, or null when it fails. */
export function shell(command: string): string | null {
  try {
    return execFileSync("sh", ["-c", command], { encoding: "utf8" }).trim();
  } catch {
    return null;
  }
}

const ticksPerSecond = Number(shell("getconf CLK_TCK") ?? "100") || 100;

/** CPU time (user + system, µs) of any process from /proc (clock-tick precision); null off Linux. */
export function procCpuUs(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ticks = Number(fields[11]) + Number(fields[12]);
    return (ticks * 1e6) / ticksPerSecond;
  } catch {
    return null;
  }
}

/** RSS of any process from /proc in bytes; null off Linux. */
export function procRss(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match?.[1] ? Number(match[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/** A text table: first row is the header; columns after the first are right-aligned. */
export function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => row[column]?.length ?? 0))) ?? [];
  return rows
    .map((row) =>
      row
        .map((cell, column) =>
          column === 0 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0),
        )
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

export const mb = (bytes: number): string => (bytes / 1024 / 1024).toFixed(0);
export const ms = (value: number): string => value.toFixed(value < 10 ? 2 : 1);
export const sleep = (millis: number): Promise<void> => new Promise((done) => setTimeout(done, millis));

/** The kernel's count of connections dropped because a listen queue was full (Linux; null elsewhere). */
export function listenOverflows(): number | null {
  try {
    const lines = readFileSync("/proc/net/netstat", "utf8").split("\n");
    const at = lines.findIndex((line) => line.startsWith("TcpExt:"));
    const names = lines[at]?.split(/\s+/) ?? [];
    const values = lines[at + 1]?.split(/\s+/) ?? [];
    const index = names.indexOf("ListenOverflows");
    return index > 0 ? Number(values[index]) : null;
  } catch {
    return null;
  }
}

/** CPU time (µs) the whole machine spent busy so far, from /proc/stat; null off Linux. */
export function machineBusyUs(): number | null {
  try {
    const fields =
      readFileSync("/proc/stat", "utf8").split("\n")[0]?.trim().split(/\s+/).slice(1).map(Number) ?? [];
    // user nice system idle iowait irq softirq steal
    const busy = [0, 1, 2, 5, 6, 7].reduce((sum, index) => sum + (fields[index] ?? 0), 0);
    return (busy * 1e6) / ticksPerSecond;
  } catch {
    return null;
  }
}
