import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "vitest";
import { MemorySpendStore, openSqliteSpendStore } from "../../src/state/spend-stores.js";
import { spendStoreContract, t0 } from "./spend-store-contract.js";

const folder = mkdtempSync(join(tmpdir(), "llmux-spend-"));
afterAll(() => rmSync(folder, { recursive: true, force: true }));
let files = 0;

spendStoreContract("memory", async () => {
  const store = new MemorySpendStore();
  return { store, close: () => store.close() };
});

spendStoreContract("SQLite file", async () => {
  files += 1;
  const store = await openSqliteSpendStore({ path: join(folder, `spend-${files}.db`), now: () => t0 });
  return { store, close: () => store.close(), settle: () => store.flush() };
});
