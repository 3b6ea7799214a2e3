import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/index.js";
import { bucketKey, groupsFromSpecs } from "../../src/core/index.js";
import type { Target } from "../../src/types/index.js";

const yaml = `
providers:
  - { id: groq-a, type: groq, api_key: k1, quota_group: acme }
  - { id: groq-b, type: groq, api_key: k2, quota_group: acme }
  - { id: groq-c, type: groq, api_key: k3 }
models:
  llama:
    deployments: [groq-a/llama-3.3-70b-versatile, groq-b/llama-3.3-70b-versatile, groq-c/llama-3.3-70b-versatile]
  small:
    deployments: [groq-a/llama-3.1-8b-instant]
`;

const target = { provider: "t" } as unknown as Target;

describe("quota_group", () => {
  it("deployments of one model on providers of one quota group share a learned bucket; others keep their own", () => {
    const { config } = parseConfig(yaml, { file: "llmux.yaml", env: {} });
    const targets = new Map(config.providers.map((p) => [p.id, target]));
    const groups = groupsFromSpecs(config.groups, targets);
    const llama = groups.find((g) => g.name === "llama")!;
    const keys = llama.deployments.map(bucketKey);
    expect(keys[0]).toBe("acme:llama-3.3-70b-versatile");
    expect(keys[1]).toBe(keys[0]);
    expect(keys[2]).toBe("groq-c/llama-3.3-70b-versatile");
    // Another model of the same organisation is another bucket.
    const small = groups.find((g) => g.name === "small")!;
    expect(bucketKey(small.deployments[0]!)).toBe("acme:llama-3.1-8b-instant");
  });
});
