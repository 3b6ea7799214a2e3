import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { SpendService } from "../../src/core/spend/index.js";
import { BudgetExhaustedError } from "../../src/errors/index.js";
import { openSqliteSpendStore } from "../../src/state/spend-stores.js";
import { t0 } from "./spend-store-contract.js";

const folder = mkdtempSync(join(tmpdir(), "llmux-spend-restart-"));
afterAll(() => rmSync(folder, { recursive: true, force: true }));
const cost = { group: "smart", deploymentId: "openai-1/gpt-4.1", promptTokens: 10, completionTokens: 10 };

async function open(path: string, now: () => number): Promise<SpendService> {
  // A long interval: only close() (or flush()) writes, so the test shows close() does.
  return new SpendService({
    store: await openSqliteSpendStore({ path, now, flushIntervalMs: 3_600_000 }),
    now,
  });
}

describe("SQLite spend store across restarts", () => {
  it("an exhausted key is still exhausted after close and reopen, until its period ends", async () => {
    const path = join(folder, "restart.db");
    let now = t0;
    const before = await open(path, () => now);
    const { key } = await before.createKey({ name: "team-a", budget_usd: 1, budget_period: "1d" });
    const grant = await before.authorize(key, "smart");
    for (let i = 0; i < 4; i += 1) {
      before.settle(await before.reserve(grant, { usd: 0.25, tokens: 20 }), { usd: 0.25, ...cost });
    }
    await expect(before.reserve(grant, { usd: 0.01, tokens: 20 })).rejects.toBeInstanceOf(
      BudgetExhaustedError,
    );
    await before.close();

    const after = await open(path, () => now);
    const again = await after.authorize(key, "smart");
    const refused = await after.reserve(again, { usd: 0.01, tokens: 20 }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(BudgetExhaustedError);
    expect((refused as BudgetExhaustedError).exhaustion).toMatchObject({ spentUsd: 1, limitUsd: 1 });
    expect((await after.listKeys())[0]).toMatchObject({ name: "team-a", spentUsd: 1 });
    expect((await after.report("key", t0))[0]).toMatchObject({ keyName: "team-a", usd: 1, requests: 4 });
    now = Math.floor(t0 / 86_400_000) * 86_400_000 + 86_400_000;
    await expect(after.reserve(again, { usd: 0.01, tokens: 20 })).resolves.toMatchObject({ held: true });
    await after.close();
  });

  it("keeps only the key's hash: the secret is nowhere in the database files", async () => {
    const path = join(folder, "hashed.db");
    const service = await open(path, () => t0);
    const { key } = await service.createKey({ name: "team-b" });
    await service.close();
    for (const file of readdirSync(folder).filter((name) => name.startsWith("hashed.db"))) {
      expect(readFileSync(join(folder, file)).includes(Buffer.from(key))).toBe(false);
    }
    const reopened = await open(path, () => t0);
    await expect(reopened.authorize(key, "any")).resolves.toMatchObject({ key: { name: "team-b" } });
    await reopened.close();
  });
});
