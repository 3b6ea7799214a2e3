import type { Database, Statement } from "better-sqlite3";
import type { BudgetPeriod, VirtualKeyRecord } from "./spend-types.js";

/**
 * The spend database (one file, WAL). Amounts are integer nano-dollars; times are ms since the epoch.
 *
 * | table | row | written |
 * | --- | --- | --- |
 * | `virtual_keys` | one key (SHA-256 of the secret, never the secret) | at once (admin operations) |
 * | `key_spend` | what a key spent in one budget window (`period_end` NULL: lifetime) | in batches |
 * | `spend_minutes` | totals of one minute × key × group × deployment (`key_id` '' without a key) | in batches |
 */
export const schemaVersion = 1;

const schema = `
CREATE TABLE IF NOT EXISTS virtual_keys (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  hash TEXT NOT NULL UNIQUE,
  hint TEXT NOT NULL,
  budget_nano_usd INTEGER,
  budget_period TEXT,
  rpm INTEGER,
  tpm INTEGER,
  models TEXT,
  expires_at INTEGER,
  created_at INTEGER NOT NULL,
  revoked_at INTEGER,
  source TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS key_spend (
  key_id TEXT NOT NULL,
  period_start INTEGER NOT NULL,
  period_end INTEGER,
  spent_nano_usd INTEGER NOT NULL,
  PRIMARY KEY (key_id, period_start)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS spend_minutes (
  minute INTEGER NOT NULL,
  key_id TEXT NOT NULL,
  group_name TEXT NOT NULL,
  deployment_id TEXT NOT NULL,
  nano_usd INTEGER NOT NULL,
  requests INTEGER NOT NULL,
  prompt_tokens INTEGER NOT NULL,
  completion_tokens INTEGER NOT NULL,
  PRIMARY KEY (minute, key_id, group_name, deployment_id)
) WITHOUT ROWID;
`;

/** Creates the tables (idempotent) and sets WAL; refuses a file written by a newer llmux. */
export function prepareDatabase(database: Database): void {
  database.pragma("journal_mode = WAL");
  database.pragma("synchronous = NORMAL");
  database.pragma("busy_timeout = 5000");
  const version = Number(database.pragma("user_version", { simple: true }));
  if (version > schemaVersion) {
    throw new Error(
      `spend database schema ${version} is newer than this llmux understands (${schemaVersion})`,
    );
  }
  database.exec(schema);
  database.pragma(`user_version = ${schemaVersion}`);
}

/** A `virtual_keys` row. */
export interface KeyRow {
  id: string;
  name: string;
  hash: string;
  hint: string;
  budget_nano_usd: number | null;
  budget_period: string | null;
  rpm: number | null;
  tpm: number | null;
  models: string | null;
  expires_at: number | null;
  created_at: number;
  revoked_at: number | null;
  source: string;
}

export function rowOfKey(record: VirtualKeyRecord): KeyRow {
  return {
    id: record.id,
    name: record.name,
    hash: record.hash,
    hint: record.hint,
    budget_nano_usd: record.budgetNanoUsd,
    budget_period: record.budgetPeriod,
    rpm: record.rpm,
    tpm: record.tpm,
    models: record.models === null ? null : JSON.stringify(record.models),
    expires_at: record.expiresAt,
    created_at: record.createdAt,
    revoked_at: record.revokedAt,
    source: record.source,
  };
}

export function keyOfRow(row: KeyRow): VirtualKeyRecord {
  const models: unknown = row.models === null ? null : JSON.parse(row.models);
  return {
    id: row.id,
    name: row.name,
    hash: row.hash,
    hint: row.hint,
    budgetNanoUsd: row.budget_nano_usd,
    budgetPeriod: row.budget_period as BudgetPeriod | null,
    rpm: row.rpm,
    tpm: row.tpm,
    models: Array.isArray(models)
      ? models.filter((model): model is string => typeof model === "string")
      : null,
    expiresAt: row.expires_at,
    createdAt: row.created_at,
    revokedAt: row.revoked_at,
    source: row.source === "config" ? "config" : "admin",
  };
}

/** The prepared statements of the store. */
export interface SpendStatements {
  saveKey: Statement<[KeyRow]>;
  allKeys: Statement<[], KeyRow>;
  revokeKey: Statement<[{ id: string; at: number }]>;
  openSpend: Statement<
    [{ now: number }],
    { key_id: string; period_start: number; period_end: number | null; spent_nano_usd: number }
  >;
  addSpend: Statement<[{ key_id: string; period_start: number; period_end: number | null; nano: number }]>;
  addMinute: Statement<
    [
      {
        minute: number;
        key_id: string;
        group_name: string;
        deployment_id: string;
        nano: number;
        requests: number;
        prompt_tokens: number;
        completion_tokens: number;
      },
    ]
  >;
  report: Record<
    "key" | "group" | "deployment",
    Statement<
      [{ since: number }],
      { name: string; nano: number; requests: number; prompt_tokens: number; completion_tokens: number }
    >
  >;
}

function reportBy(
  database: Database,
  column: "key_id" | "group_name" | "deployment_id",
): SpendStatements["report"]["key"] {
  const keyed = column === "key_id" ? "AND key_id != ''" : "";
  return database.prepare(
    `SELECT ${column} AS name, SUM(nano_usd) AS nano, SUM(requests) AS requests,
       SUM(prompt_tokens) AS prompt_tokens, SUM(completion_tokens) AS completion_tokens
     FROM spend_minutes WHERE minute >= @since ${keyed} GROUP BY ${column}`,
  );
}

export function prepareStatements(database: Database): SpendStatements {
  return {
    saveKey: database.prepare(
      `INSERT OR REPLACE INTO virtual_keys
         (id, name, hash, hint, budget_nano_usd, budget_period, rpm, tpm, models, expires_at, created_at, revoked_at, source)
       VALUES (@id, @name, @hash, @hint, @budget_nano_usd, @budget_period, @rpm, @tpm, @models, @expires_at, @created_at, @revoked_at, @source)`,
    ),
    allKeys: database.prepare("SELECT * FROM virtual_keys"),
    revokeKey: database.prepare(
      "UPDATE virtual_keys SET revoked_at = @at WHERE id = @id AND revoked_at IS NULL",
    ),
    openSpend: database.prepare(
      "SELECT key_id, period_start, period_end, spent_nano_usd FROM key_spend WHERE period_end IS NULL OR period_end > @now",
    ),
    addSpend: database.prepare(
      `INSERT INTO key_spend (key_id, period_start, period_end, spent_nano_usd) VALUES (@key_id, @period_start, @period_end, @nano)
       ON CONFLICT (key_id, period_start) DO UPDATE SET spent_nano_usd = spent_nano_usd + excluded.spent_nano_usd`,
    ),
    addMinute: database.prepare(
      `INSERT INTO spend_minutes (minute, key_id, group_name, deployment_id, nano_usd, requests, prompt_tokens, completion_tokens)
       VALUES (@minute, @key_id, @group_name, @deployment_id, @nano, @requests, @prompt_tokens, @completion_tokens)
       ON CONFLICT (minute, key_id, group_name, deployment_id) DO UPDATE SET
         nano_usd = nano_usd + excluded.nano_usd, requests = requests + excluded.requests,
         prompt_tokens = prompt_tokens + excluded.prompt_tokens, completion_tokens = completion_tokens + excluded.completion_tokens`,
    ),
    report: {
      key: reportBy(database, "key_id"),
      group: reportBy(database, "group_name"),
      deployment: reportBy(database, "deployment_id"),
    },
  };
}
