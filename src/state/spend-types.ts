/**
 * The spend store: virtual keys and the money they spend. Amounts are whole nano-dollars (1e-9 USD)
 * so sums are exact integers on every backend. The store knows nothing of prices or periods: the
 * spend service computes the period window and the estimate and hands them in.
 */

import type { BudgetPeriod } from "../types/index.js";

/** How often a key's budget resets (see `src/types/spend.ts`). */
export type { BudgetPeriod };

/** A virtual (gateway) key. Its secret is never stored: only its SHA-256. */
export interface VirtualKeyRecord {
  /** Stable id: `cfg:<name>` for keys from the config, `vk_<hex>` for keys made through the admin API. */
  id: string;
  /** Unique. */
  name: string;
  /** SHA-256 of the key, hex. */
  hash: string;
  /** The key's last 4 characters, so people can tell keys apart. */
  hint: string;
  /** Budget per period (or for the key's life when `budgetPeriod` is null); null = unlimited. */
  budgetNanoUsd: number | null;
  budgetPeriod: BudgetPeriod | null;
  rpm: number | null;
  tpm: number | null;
  /** Model groups it may use; null = every group. */
  models: readonly string[] | null;
  expiresAt: number | null;
  createdAt: number;
  revokedAt: number | null;
  source: "config" | "admin";
}

/** The budget window a reservation counts against. `periodEnd` is `Infinity` for a lifetime budget. */
export interface BudgetWindow {
  limitNanoUsd: number;
  periodStart: number;
  periodEnd: number;
}

/** A request about to be sent on a key: what it may cost and how many tokens it may use. */
export interface ReserveRequest {
  keyId: string;
  reservationId: string;
  now: number;
  amountNanoUsd: number;
  tokens: number;
  /** Null: no budget to check (the reservation still holds the rate limits). */
  budget: BudgetWindow | null;
  /** Requests and tokens per minute (sliding 60 s window); null = unlimited. */
  rpm: number | null;
  tpm: number | null;
  /** When an unsettled reservation stops counting (a node died mid-request). */
  expiresAt: number;
}

export type ReserveOutcome =
  | { ok: true; spentNanoUsd: number; reservedNanoUsd: number }
  | { ok: false; reason: "budget"; spentNanoUsd: number; reservedNanoUsd: number }
  | { ok: false; reason: "requests" | "tokens"; retryAt: number };

/** What a finished request cost, and to whom. */
export interface SettleRequest {
  /** Null for a request without a virtual key (it still counts by group and deployment). */
  keyId: string | null;
  /** The reservation to release; null when none was made. */
  reservationId: string | null;
  /** The budget window the spend belongs to (the reservation's); null without a key. */
  periodStart: number | null;
  periodEnd: number | null;
  now: number;
  amountNanoUsd: number;
  /** Real tokens minus the reserved ones, corrected in the key's tokens-per-minute window. */
  tokensDelta: number;
  group: string;
  deploymentId: string;
  promptTokens: number;
  completionTokens: number;
  /** False for a release (nothing was sent): no spend, and no request in the reports. */
  counted: boolean;
}

/** How spend is grouped in reports. */
export type SpendDimension = "key" | "group" | "deployment";

export interface SpendTotals {
  nanoUsd: number;
  requests: number;
  promptTokens: number;
  completionTokens: number;
}

/** One line of a spend report: a key id, a group or a deployment id, and its totals. */
export interface SpendRow extends SpendTotals {
  name: string;
}

/**
 * Virtual keys and their spend (memory, SQLite, Redis; one contract suite). `reserve` is atomic per
 * key across every node sharing the store; `settle` never waits (it is written behind).
 */
export interface SpendStore {
  readonly kind: "memory" | "sqlite" | "redis";
  /** Resolves once the store can answer (file opened; Redis connected, or degraded after a first try). */
  ready(): Promise<void>;
  /** Creates or replaces the key with this id (a new hash replaces the old one for lookups). */
  saveKey(record: VirtualKeyRecord): Promise<void>;
  /** The key whose secret hashes to `hash` (revoked and expired ones too), or null. */
  findKey(hash: string): Promise<VirtualKeyRecord | null>;
  listKeys(): Promise<VirtualKeyRecord[]>;
  /** Marks the key revoked; false when there is no such key. */
  revokeKey(id: string, at: number): Promise<boolean>;
  /** Checks the budget and the rate limits and, when all allow it, holds the request's share. */
  reserve(request: ReserveRequest): Promise<ReserveOutcome>;
  /** Records a request's real cost and releases its reservation. */
  settle(request: SettleRequest): void;
  /** Spent (settled) in one budget window of a key. */
  spent(keyId: string, periodStart: number): Promise<number>;
  /** Totals since `since` (1-minute resolution), largest spend first. */
  report(by: SpendDimension, since: number, now: number): Promise<SpendRow[]>;
  /** Writes everything pending. */
  flush(): Promise<void>;
  /** Flushes and releases the file or connections. */
  close(): Promise<void>;
}
