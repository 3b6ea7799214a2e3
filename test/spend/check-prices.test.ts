import { describe, expect, it } from "vitest";
import { formatPrices } from "../../src/cli/check-command.js";
import { parseConfig } from "../../src/config/index.js";

describe("llmux check: prices", () => {
  it("shows each deployment's price and source, or says it has none", async () => {
    const text = [
      "providers:",
      "  - { id: oa, type: openai, api_key: sk-test-0000000000000000, models: [gpt-4.1] }",
      "  - { id: local, type: openai-compatible, base_url: 'http://127.0.0.1:9/v1', api_key: x }",
      "models:",
      "  smart:",
      "    deployments:",
      "      - oa/gpt-4.1",
      "      - { provider: local, model: llama, price: { input_per_1m_usd: 0, output_per_1m_usd: 0 } }",
      "      - local/mystery",
      "",
    ].join("\n");
    const { config } = parseConfig(text, { file: "check.yaml", env: {} });
    const out = await formatPrices(config);
    expect(out).toMatch(/oa\/gpt-4\.1: input \$2\/1M, output \$8\/1M.*@pydantic\/genai-prices/);
    expect(out).toMatch(/local\/llama: input \$0\/1M, output \$0\/1M.*deployment price/);
    expect(out).toMatch(
      /local\/mystery: no price \(no list price for openai-compatible endpoints; set price:/,
    );
  });
});
