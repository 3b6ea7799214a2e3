import { randomBytes } from "node:crypto";
import {
  BudgetExhaustedError,
  InvalidApiKeyError,
  InvalidRequestError,
  KeyRateLimitedError,
  ModelNotAllowedError,
} from "../../errors/index.js";
import { nanoToUsd, usdToNano } from "../../providers/pricing/index.js";
import type { SpendDimension, SpendStore, VirtualKeyRecord } from "../../state/spend-types.js";
import { checkVirtualKey } from "../../config/spend-check.js";
import type { VirtualKeyInput, VirtualKeySettings } from "../../config/spend-types.js";
import { keyInfo, recordOf, spanOf, type KeyInfo } from "./key-info.js";
import type { BudgetSpan } from "./periods.js";
import { configKeyId, generateKey, generateKeyId, hashKey } from "./virtual-keys.js";

export interface SpendServiceOptions {
  store: SpendStore;
  /** Default `Date.now`. */
  now?: () => number;
  /** How long an unsettled reservation holds budget (a request lost with its node); default 10 min. */
  reservationTtlMs?: number;
}

/** A presented key that may make this request. */
export interface KeyGrant {
  key: VirtualKeyRecord;
  group: string;
}

/** Budget and rate held for one request until it is settled or released. */
export interface Reservation {
  readonly id: string;
  readonly key: VirtualKeyRecord;
  readonly amountNanoUsd: number;
  readonly tokens: number;
  readonly span: BudgetSpan;
  /** False when the key has no budget and no rate limit (nothing was held). */
  readonly held: boolean;
  settled: boolean;
}

/** What a finished request cost, and where it went. */
export interface RequestCost {
  usd: number;
  group: string;
  deploymentId: string;
  promptTokens: number;
  completionTokens: number;
}

/** A line of `GET /admin/spend?by=…&since=…`. */
export interface SpendReportRow {
  /** Key id, group or deployment id. */
  name: string;
  /** The key's name, for `by=key`. */
  keyName: string | null;
  usd: number;
  requests: number;
  promptTokens: number;
  completionTokens: number;
}

/** Settings of a key made through the admin API (its secret is generated unless `key` is given). */
export type NewKeyInput = Omit<VirtualKeyInput, "key"> & { key?: string };

/**
 * Virtual keys and their spend: the domain service behind the gateway's key check, budgets,
 * rate limits and `/admin/keys`, `/admin/spend`. Per request: `authorize` (401/403), `reserve`
 * before the call with the estimate (402/429), `settle` after it with the real cost (or `release`).
 */
export class SpendService {
  readonly #store: SpendStore;
  readonly #now: () => number;
  readonly #ttlMs: number;

  constructor(options: SpendServiceOptions) {
    this.#store = options.store;
    this.#now = options.now ?? Date.now;
    this.#ttlMs = options.reservationTtlMs ?? 600_000;
  }

  /** Makes a key; the returned `key` is the only time its secret is seen. */
  async createKey(
    input: NewKeyInput,
    groups: readonly string[] | null = null,
  ): Promise<{ key: string; info: KeyInfo }> {
    const checked = checkVirtualKey(input, "key", groups, false);
    if (!checked.key) {
      const issue = checked.issues[0];
      throw new InvalidRequestError(`${issue?.path ?? "key"}: ${issue?.message ?? "invalid"}`, {
        param: issue?.path.replace(/^key\./, "") ?? null,
      });
    }
    const existing = await this.#store.listKeys();
    if (existing.some((record) => record.name === checked.key?.name)) {
      throw new InvalidRequestError(`A key named '${checked.key.name}' exists.`, {
        param: "name",
        status: 409,
      });
    }
    const secret = input.key ?? generateKey();
    if (existing.some((record) => record.hash === hashKey(secret))) {
      throw new InvalidRequestError("That secret is used by another key.", { param: "key", status: 409 });
    }
    const now = this.#now();
    const record = recordOf(
      generateKeyId(),
      secret,
      checked.key,
      { createdAt: now, revokedAt: null },
      "admin",
    );
    await this.#store.saveKey(record);
    return { key: secret, info: keyInfo(record, 0, now) };
  }

  /**
   * Makes the store's config keys match the config: new ones are added, changed ones updated (a new
   * secret replaces the old one; spend and period stay with the name), removed ones revoked.
   */
  async syncConfigKeys(keys: readonly VirtualKeySettings[]): Promise<void> {
    const now = this.#now();
    const stored = new Map((await this.#store.listKeys()).map((record) => [record.id, record]));
    const wanted = new Set<string>();
    for (const key of keys) {
      const id = configKeyId(key.name);
      wanted.add(id);
      const previous = stored.get(id);
      const sameSecret = previous?.hash === hashKey(key.key);
      const times = {
        createdAt: previous?.createdAt ?? now,
        revokedAt: sameSecret ? (previous?.revokedAt ?? null) : null,
      };
      const record = recordOf(id, key.key, key, times, "config");
      if (!previous || JSON.stringify(previous) !== JSON.stringify(record)) await this.#store.saveKey(record);
    }
    for (const record of stored.values()) {
      if (record.source === "config" && !wanted.has(record.id) && record.revokedAt === null) {
        await this.#store.revokeKey(record.id, now);
      }
    }
  }

  async listKeys(): Promise<KeyInfo[]> {
    const now = this.#now();
    const records = await this.#store.listKeys();
    return Promise.all(
      records.map(async (record) =>
        keyInfo(record, await this.#store.spent(record.id, spanOf(record, now).start), now),
      ),
    );
  }

  /** Revokes a key at once (on every node sharing the store); false when there is no such key. */
  revokeKey(id: string): Promise<boolean> {
    return this.#store.revokeKey(id, this.#now());
  }

  /** The key behind a presented secret, if it may use `group`; throws 401 or 403 otherwise. */
  async authorize(presented: string, group: string): Promise<KeyGrant> {
    return this.grant(await this.identify(presented), group);
  }

  /** The live key behind a presented secret; throws 401 when unknown, revoked or expired. */
  async identify(presented: string): Promise<VirtualKeyRecord> {
    const key = await this.#store.findKey(hashKey(presented));
    if (!key) throw new InvalidApiKeyError("unknown");
    if (key.revokedAt !== null) throw new InvalidApiKeyError("revoked");
    if (key.expiresAt !== null && key.expiresAt <= this.#now()) throw new InvalidApiKeyError("expired");
    return key;
  }

  /** `key` may use `group` (its model allow-list); throws 403 otherwise. */
  grant(key: VirtualKeyRecord, group: string): KeyGrant {
    if (key.expiresAt !== null && key.expiresAt <= this.#now()) throw new InvalidApiKeyError("expired");
    if (key.models !== null && !key.models.includes(group))
      throw new ModelNotAllowedError(key.name, group, key.models);
    return { key, group };
  }

  /**
   * Holds the request's estimate against the key's budget and one request plus `tokens` against
   * its per-minute limits; throws 402 (`budget_exhausted`) or 429 (with Retry-After) when they do
   * not allow it. A key without budget or limits holds nothing (no store round trip).
   */
  async reserve(grant: KeyGrant, estimate: { usd: number; tokens: number }): Promise<Reservation> {
    const { key } = grant;
    const now = this.#now();
    const span = spanOf(key, now);
    const amount = Math.max(0, usdToNano(estimate.usd));
    const tokens = Math.max(0, Math.ceil(estimate.tokens));
    const id = randomBytes(9).toString("base64url");
    const held = key.budgetNanoUsd !== null || key.rpm !== null || key.tpm !== null;
    const reservation: Reservation = { id, key, amountNanoUsd: amount, tokens, span, held, settled: false };
    if (!held) return reservation;
    const outcome = await this.#store.reserve({
      keyId: key.id,
      reservationId: id,
      now,
      amountNanoUsd: amount,
      tokens,
      budget:
        key.budgetNanoUsd === null
          ? null
          : { limitNanoUsd: key.budgetNanoUsd, periodStart: span.start, periodEnd: span.end },
      rpm: key.rpm,
      tpm: key.tpm,
      expiresAt: now + this.#ttlMs,
    });
    if (outcome.ok) return reservation;
    if (outcome.reason === "budget") {
      throw new BudgetExhaustedError({
        keyName: key.name,
        limitUsd: nanoToUsd(key.budgetNanoUsd ?? 0),
        spentUsd: nanoToUsd(outcome.spentNanoUsd),
        reservedUsd: nanoToUsd(outcome.reservedNanoUsd),
        estimateUsd: nanoToUsd(amount),
        period: key.budgetPeriod,
        resetsAt: Number.isFinite(span.end) ? span.end : null,
      });
    }
    const limit = outcome.reason === "tokens" ? (key.tpm ?? 0) : (key.rpm ?? 0);
    throw new KeyRateLimitedError(key.name, outcome.reason, limit, Math.max(0, outcome.retryAt - now));
  }

  /** Records the request's real cost and releases its reservation (once; later calls do nothing). */
  settle(reservation: Reservation, cost: RequestCost): void {
    this.#settle(reservation, cost, true);
  }

  /** Releases a reservation whose request cost nothing (refused before any upstream answered). */
  release(reservation: Reservation, group: string, deploymentId = ""): void {
    this.#settle(reservation, { usd: 0, group, deploymentId, promptTokens: 0, completionTokens: 0 }, false);
  }

  #settle(reservation: Reservation, cost: RequestCost, counted: boolean): void {
    if (reservation.settled) return;
    reservation.settled = true;
    const used = cost.promptTokens + cost.completionTokens;
    this.#store.settle({
      keyId: reservation.key.id,
      reservationId: reservation.held ? reservation.id : null,
      periodStart: reservation.span.start,
      periodEnd: reservation.span.end,
      now: this.#now(),
      amountNanoUsd: Math.max(0, usdToNano(cost.usd)),
      tokensDelta: reservation.held && reservation.key.tpm !== null ? used - reservation.tokens : 0,
      group: cost.group,
      deploymentId: cost.deploymentId,
      promptTokens: cost.promptTokens,
      completionTokens: cost.completionTokens,
      counted,
    });
  }

  /** Records the cost of a request made without a virtual key (it counts by group and deployment). */
  record(cost: RequestCost): void {
    this.#store.settle({
      keyId: null,
      reservationId: null,
      periodStart: null,
      periodEnd: null,
      now: this.#now(),
      amountNanoUsd: Math.max(0, usdToNano(cost.usd)),
      tokensDelta: 0,
      group: cost.group,
      deploymentId: cost.deploymentId,
      promptTokens: cost.promptTokens,
      completionTokens: cost.completionTokens,
      counted: true,
    });
  }

  /** Spend since `since` by key, group or deployment, largest first (1-minute resolution). */
  async report(by: SpendDimension, since: number): Promise<SpendReportRow[]> {
    const rows = await this.#store.report(by, since, this.#now());
    const names =
      by === "key" ? new Map((await this.#store.listKeys()).map((record) => [record.id, record.name])) : null;
    return rows.map((row) => ({
      name: row.name,
      keyName: names?.get(row.name) ?? null,
      usd: nanoToUsd(row.nanoUsd),
      requests: row.requests,
      promptTokens: row.promptTokens,
      completionTokens: row.completionTokens,
    }));
  }

  flush(): Promise<void> {
    return this.#store.flush();
  }

  close(): Promise<void> {
    return this.#store.close();
  }
}
