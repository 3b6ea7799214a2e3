import { nanoToUsd, usdToNano } from "../../providers/pricing/index.js";
import type { BudgetPeriod, VirtualKeyRecord } from "../../state/spend-types.js";
import type { VirtualKeySettings } from "../../config/spend-types.js";
import { budgetSpan, periodAnchor, type BudgetSpan } from "./periods.js";
import { hashKey, keyHint } from "./virtual-keys.js";

/** A key as the admin API and `llmux check` show it: never its secret, never its hash. */
export interface KeyInfo {
  id: string;
  name: string;
  /** `…a1b2`: the secret's last 4 characters. */
  hint: string;
  source: "config" | "admin";
  budgetUsd: number | null;
  budgetPeriod: BudgetPeriod | null;
  rpm: number | null;
  tpm: number | null;
  models: readonly string[] | null;
  expiresAt: number | null;
  createdAt: number;
  revokedAt: number | null;
  /** Spent in the current period (or in the key's life without a period). */
  spentUsd: number;
  /** When the current period began (null without a period). */
  periodStart: number | null;
  /** When the budget resets (null without a period). */
  resetsAt: number | null;
}

/** The span of a key's budget at `now` (periods count from midnight UTC of its creation day). */
export function spanOf(record: VirtualKeyRecord, now: number): BudgetSpan {
  return budgetSpan(record.budgetPeriod, periodAnchor(record.createdAt), now);
}

export function keyInfo(record: VirtualKeyRecord, spentNano: number, now: number): KeyInfo {
  const span = spanOf(record, now);
  const periodic = record.budgetPeriod !== null;
  return {
    id: record.id,
    name: record.name,
    hint: record.hint,
    source: record.source,
    budgetUsd: record.budgetNanoUsd === null ? null : nanoToUsd(record.budgetNanoUsd),
    budgetPeriod: record.budgetPeriod,
    rpm: record.rpm,
    tpm: record.tpm,
    models: record.models,
    expiresAt: record.expiresAt,
    createdAt: record.createdAt,
    revokedAt: record.revokedAt,
    spentUsd: nanoToUsd(spentNano),
    periodStart: periodic ? span.start : null,
    resetsAt: periodic ? span.end : null,
  };
}

/** The stored record of a key with this secret and these settings. */
export function recordOf(
  id: string,
  secret: string,
  settings: Omit<VirtualKeySettings, "key">,
  times: { createdAt: number; revokedAt: number | null },
  source: "config" | "admin",
): VirtualKeyRecord {
  return {
    id,
    name: settings.name,
    hash: hashKey(secret),
    hint: keyHint(secret),
    budgetNanoUsd: settings.budgetUsd === null ? null : usdToNano(settings.budgetUsd),
    budgetPeriod: settings.budgetPeriod,
    rpm: settings.rpm,
    tpm: settings.tpm,
    models: settings.models === null ? null : [...settings.models],
    expiresAt: settings.expiresAt,
    createdAt: times.createdAt,
    revokedAt: times.revokedAt,
    source,
  };
}
