import { describe, expect, it } from "vitest";
import { checkPriceOverride, checkSpendConfig, maxUsdPerRequestOf } from "../../src/core/spend/index.js";

const groups = ["smart", "cheap"];
const secret = "team-a-secret-0001";

describe("checkSpendConfig", () => {
  it("compiles the issue's example", () => {
    const { settings, issues } = checkSpendConfig(
      {
        server: { admin_key: "admin-secret-00001" },
        pricing: { file: "./prices.json" },
        budgets: { max_usd_per_request: 0.08, groups: { cheap: { max_usd_per_request: 0.01 } } },
        keys: [
          { name: "team-a", key: secret, budget_usd: 10, budget_period: "30d", rpm: 60, models: ["smart"] },
        ],
      },
      { groups },
    );
    expect(issues).toEqual([]);
    expect(settings).toEqual({
      adminKey: "admin-secret-00001",
      pricingFile: "./prices.json",
      maxUsdPerRequest: 0.08,
      groupMaxUsdPerRequest: { cheap: 0.01 },
      downRouteTo: {},
      keys: [
        {
          name: "team-a",
          key: secret,
          budgetUsd: 10,
          budgetPeriod: "30d",
          rpm: 60,
          tpm: null,
          models: ["smart"],
          expiresAt: null,
        },
      ],
    });
    expect(maxUsdPerRequestOf(settings, "smart")).toBe(0.08);
    expect(maxUsdPerRequestOf(settings, "cheap")).toBe(0.01);
  });

  it("names every problem with its path", () => {
    const { issues } = checkSpendConfig(
      {
        server: { admin_key: "short" },
        budgets: { max_usd_per_request: -1, groups: { nope: { max_usd_per_request: 1 } } },
        keys: [
          {
            name: "team a",
            key: "short-key",
            budget_period: "2w" as "7d",
            rpm: 1.5,
            models: ["smart", "gone"],
            expires_at: "soon",
          },
          { name: "team-b", key: secret, budget_period: "1d" },
          { name: "team-b", key: secret, budget_usd: 1 },
        ],
      },
      { groups },
    );
    expect(issues).toEqual([
      { path: "server.admin_key", message: "must be at least 16 characters" },
      { path: "keys[0].name", message: "must be 1 to 64 letters, digits, '.', '_', '-', '@' or ':'" },
      { path: "keys[0].key", message: "must be at least 16 characters" },
      { path: "keys[0].budget_period", message: "must be one of 1d, 7d, 30d, 1mo" },
      { path: "keys[0].models[1]", message: "unknown model group 'gone'" },
      { path: "keys[0].rpm", message: "must be a whole number > 0" },
      {
        path: "keys[0].expires_at",
        message: "must be an ISO 8601 date or time (2026-12-31, 2026-12-31T18:00:00Z)",
      },
      { path: "keys[1].budget_period", message: "needs budget_usd" },
      { path: "keys[2].name", message: "'team-b' is used by another key" },
      { path: "keys[2].key", message: "the same secret is used by another key" },
      { path: "budgets.max_usd_per_request", message: "must be a number >= 0 (USD)" },
      { path: "budgets.groups.nope", message: "unknown model group 'nope'" },
    ]);
  });

  it("checks price overrides", () => {
    expect(
      checkPriceOverride({ input_per_1m_usd: 2, output_per_1m_usd: 8 }, "models.smart.deployments[0].price"),
    ).toEqual([]);
    expect(checkPriceOverride({ input_per_1m_usd: "2", cached_input_per_1m_usd: -1 }, "price")).toEqual([
      { path: "price.input_per_1m_usd", message: "must be a number >= 0 (USD per 1M tokens)" },
      { path: "price.output_per_1m_usd", message: "is required" },
      { path: "price.cached_input_per_1m_usd", message: "must be a number >= 0 (USD per 1M tokens)" },
    ]);
  });
});
