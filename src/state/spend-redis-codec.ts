import { isRecord, safeJsonParse } from "../util/index.js";
import type { BudgetPeriod, ReserveOutcome, SpendTotals, VirtualKeyRecord } from "./spend-types.js";

const periods: readonly string[] = ["1d", "7d", "30d", "1mo"];

function numberOrNull(value: unknown): number | null {
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}

/** A key record as stored in Redis (JSON, written by JS so numbers keep every digit). */
export function encodeKey(record: VirtualKeyRecord): string {
  return JSON.stringify(record);
}

/** A stored key record, or null when it is not one. */
export function decodeKey(text: unknown): VirtualKeyRecord | null {
  if (typeof text !== "string") return null;
  const value = safeJsonParse(text);
  if (!isRecord(value)) return null;
  const { id, name, hash, hint, createdAt, models, budgetPeriod } = value;
  if (
    typeof id !== "string" ||
    typeof name !== "string" ||
    typeof hash !== "string" ||
    typeof createdAt !== "number"
  ) {
    return null;
  }
  return {
    id,
    name,
    hash,
    hint: typeof hint === "string" ? hint : "",
    budgetNanoUsd: numberOrNull(value["budgetNanoUsd"]),
    budgetPeriod:
      typeof budgetPeriod === "string" && periods.includes(budgetPeriod)
        ? (budgetPeriod as BudgetPeriod)
        : null,
    rpm: numberOrNull(value["rpm"]),
    tpm: numberOrNull(value["tpm"]),
    models: Array.isArray(models)
      ? models.filter((model): model is string => typeof model === "string")
      : null,
    expiresAt: numberOrNull(value["expiresAt"]),
    createdAt,
    revokedAt: numberOrNull(value["revokedAt"]),
    source: value["source"] === "config" ? "config" : "admin",
  };
}

function integer(value: unknown): number {
  const parsed = typeof value === "number" ? value : Number(value);
  return Number.isFinite(parsed) ? parsed : 0;
}

/** The records of an HGETALL of the key records (a flat array or an object), bad entries skipped. */
export function decodeKeyRecords(reply: unknown): VirtualKeyRecord[] {
  const values = Array.isArray(reply)
    ? reply.filter((_, index) => index % 2 === 1)
    : isRecord(reply)
      ? Object.values(reply)
      : [];
  return values.map(decodeKey).filter((record): record is VirtualKeyRecord => record !== null);
}

/** The reply of the reserve script. */
export function decodeReserve(reply: unknown): ReserveOutcome {
  if (!Array.isArray(reply)) throw new Error("unexpected reserve reply");
  if (integer(reply[0]) === 1)
    return { ok: true, spentNanoUsd: integer(reply[1]), reservedNanoUsd: integer(reply[2]) };
  if (reply[1] === "budget") {
    return {
      ok: false,
      reason: "budget",
      spentNanoUsd: integer(reply[2]),
      reservedNanoUsd: integer(reply[3]),
    };
  }
  return { ok: false, reason: reply[1] === "tokens" ? "tokens" : "requests", retryAt: integer(reply[2]) };
}

/** Metric letters of the report hashes: `u` nano-USD, `n` requests, `i` prompt, `o` completion tokens. */
export const metricFields = {
  u: "nanoUsd",
  n: "requests",
  i: "promptTokens",
  o: "completionTokens",
} as const;

/** Sums the fields `<dimension>\t<name>\t<metric>` of HGETALL replies (flat arrays or objects) into totals by name. */
export function sumBuckets(
  replies: readonly unknown[],
  dimension: string,
  into: Map<string, SpendTotals>,
): void {
  const prefix = `${dimension}\t`;
  for (const reply of replies) {
    const pairs: [string, unknown][] = Array.isArray(reply)
      ? Array.from({ length: Math.floor(reply.length / 2) }, (_, i) => [
          String(reply[2 * i]),
          reply[2 * i + 1],
        ])
      : isRecord(reply)
        ? Object.entries(reply)
        : [];
    for (const [field, value] of pairs) {
      if (!field.startsWith(prefix)) continue;
      const cut = field.lastIndexOf("\t");
      const metric = metricFields[field.slice(cut + 1) as keyof typeof metricFields];
      if (metric === undefined || cut <= prefix.length - 1) continue;
      const name = field.slice(prefix.length, cut);
      let totals = into.get(name);
      if (!totals) {
        totals = { nanoUsd: 0, requests: 0, promptTokens: 0, completionTokens: 0 };
        into.set(name, totals);
      }
      totals[metric] += integer(value);
    }
  }
}
