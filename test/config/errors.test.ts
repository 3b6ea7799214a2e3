import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "../../src/config/index.js";
import { providerTypes } from "../../src/types/index.js";
import { configErrorOf, issuesOf } from "./issues.js";

const parse =
  (text: string, env: Record<string, string | undefined> = {}) =>
  () =>
    parseConfig(text, { file: "llmux.yaml", env });

const allowedTypes = providerTypes.join(", ");

describe("config errors: file, line, column, field path, message", () => {
  it("reports YAML syntax errors with line and column", () => {
    const text = "providers:\n  - id: a\n    models: [x, y\n";
    expect(issuesOf(parse(text))).toEqual([
      {
        file: "llmux.yaml",
        line: 4,
        column: 1,
        path: "",
        message:
          "YAML syntax error: Flow sequence in block collection must be sufficiently indented and end with a ]",
      },
    ]);
  });

  it("reports a tab used as indentation", () => {
    expect(issuesOf(parse("server:\n\tport: 4000\n"))).toMatchObject([
      { line: 2, column: 1, path: "", message: "YAML syntax error: Tabs are not allowed as indentation" },
    ]);
  });

  it("reports a duplicate key (two groups with one name)", () => {
    const text = "models:\n  smart:\n    deployments: [a/x]\n  smart:\n    deployments: [a/y]\n";
    expect(issuesOf(parse(text))).toEqual([
      {
        file: "llmux.yaml",
        line: 4,
        column: 3,
        path: "",
        message: 'duplicate key "smart": a key may appear only once in a map',
      },
    ]);
  });

  it("reports a wrong type for port", () => {
    const error = configErrorOf(parse("server:\n  host: 0.0.0.0\n  port: abc\n"));
    expect(error.issues).toEqual([
      {
        file: "llmux.yaml",
        line: 3,
        column: 9,
        path: "server.port",
        message: 'expected a number, got "abc"',
      },
    ]);
    expect(error.code).toBe("config_invalid");
    expect(error.status).toBe(400);
    expect(error.message).toBe(
      'Invalid config llmux.yaml (1 problem):\nllmux.yaml:3:9 server.port: expected a number, got "abc"',
    );
  });

  it("reports an out-of-range port", () => {
    expect(issuesOf(parse("server:\n  port: 70000\n"))).toMatchObject([
      { line: 2, column: 9, path: "server.port", message: "must be <= 65535 (got 70000)" },
    ]);
  });

  it("lists the allowed values of an unknown provider type", () => {
    const text = "providers:\n  - id: x-1\n    type: grok\n    api_key: k\n";
    expect(issuesOf(parse(text))).toEqual([
      {
        file: "llmux.yaml",
        line: 3,
        column: 11,
        path: "providers[0].type",
        message: `must be one of: ${allowedTypes} (got "grok") (did you mean "groq"?)`,
      },
    ]);
  });

  it("reports an unknown field with a suggestion, at the key", () => {
    const text = "providers:\n  - id: groq-1\n    type: groq\n    api-key: k\n    models: [m]\n";
    expect(issuesOf(parse(text))).toEqual([
      {
        file: "llmux.yaml",
        line: 4,
        column: 5,
        path: "providers[0].api-key",
        message: 'unknown field "api-key" (did you mean "api_key"?)',
      },
    ]);
  });

  it("lists the allowed fields when nothing is close", () => {
    const text = "providers:\n  - id: groq-1\n    type: groq\n    api_key: k\n    colour: blue\n";
    expect(issuesOf(parse(text))[0]?.message).toBe(
      'unknown field "colour"; allowed: id, type, api_key, base_url, headers, models, priority, api_version, deployments, quota_group, drop_unsupported_betas, rpm, tpm, rpd, context_window, first_token_timeout_ms, stream_idle_timeout_ms, include_usage, prefill, price',
    );
  });

  it("reports unknown top-level sections with a suggestion", () => {
    expect(issuesOf(parse("provider:\n  - id: a\nmodels: {}\n"))).toEqual([
      {
        file: "llmux.yaml",
        line: 1,
        column: 1,
        path: "provider",
        message: 'unknown section "provider" (did you mean "providers"?)',
      },
    ]);
  });

  it("reports an unknown field in a deployment", () => {
    const text =
      "providers:\n  - id: a\n    type: groq\n    api_key: k\nmodels:\n  g:\n    deployments:\n      - { provider: a, model: m, wieght: 2 }\n";
    expect(issuesOf(parse(text))).toEqual([
      {
        file: "llmux.yaml",
        line: 8,
        column: 34,
        path: "models.g.deployments[0].wieght",
        message: 'unknown field "wieght" (did you mean "weight"?)',
      },
    ]);
  });

  it("reports a reference to a provider that does not exist", () => {
    const text = `providers:
  - id: groq-1
    type: groq
    api_key: k
models:
  smart:
    tiers:
      - [groq-1/llama-3.3-70b-versatile, { provider: grq-1, model: llama-3.1-8b-instant }]
      - [openai-9/gpt-4.1]
`;
    expect(issuesOf(parse(text))).toEqual([
      {
        file: "llmux.yaml",
        line: 8,
        column: 54,
        path: "models.smart.tiers[0][1].provider",
        message: 'unknown provider "grq-1" (did you mean "groq-1"?); defined: groq-1',
      },
      {
        file: "llmux.yaml",
        line: 9,
        column: 10,
        path: "models.smart.tiers[1][0]",
        message: 'unknown provider "openai-9"; defined: groq-1',
      },
    ]);
  });

  it("reports a missing base_url for openai-compatible (and names an unset variable)", () => {
    const text = `providers:
  - id: local
    type: openai-compatible
    models: [llama3.2]
  - id: local-2
    type: openai-compatible
    base_url: \${LOCAL_URL}
    models: [llama3.2]
`;
    expect(issuesOf(parse(text))).toEqual([
      {
        file: "llmux.yaml",
        line: 2,
        column: 5,
        path: "providers[0].base_url",
        message: 'is required for type "openai-compatible"',
      },
      {
        file: "llmux.yaml",
        line: 7,
        column: 15,
        path: "providers[1].base_url",
        message: 'is required for type "openai-compatible" (environment variable LOCAL_URL is not set)',
      },
    ]);
  });

  it("reports a duplicate provider id", () => {
    const text =
      "providers:\n  - id: groq-1\n    type: groq\n    api_key: a\n  - id: groq-1\n    type: groq\n    api_key: b\n";
    expect(issuesOf(parse(text))).toEqual([
      {
        file: "llmux.yaml",
        line: 5,
        column: 9,
        path: "providers[1].id",
        message: 'duplicate provider id "groq-1" (already used by providers[0])',
      },
    ]);
  });

  it("reports empty groups", () => {
    const text =
      "providers:\n  - id: a\n    type: groq\n    api_key: k\nmodels:\n  smart:\n  other:\n    deployments: []\n";
    expect(issuesOf(parse(text))).toEqual([
      {
        file: "llmux.yaml",
        line: 6,
        column: 3,
        path: "models.smart",
        message: 'group "smart" has no usable deployments: add deployments or tiers',
      },
      {
        file: "llmux.yaml",
        line: 7,
        column: 3,
        path: "models.other",
        message: 'group "other" has no usable deployments: add deployments or tiers',
      },
    ]);
  });

  it("reports a malformed shorthand and a wrong deployment type", () => {
    const text = "models:\n  g:\n    deployments: [nope, 5, { provider: a }]\n";
    expect(issuesOf(parse(text))).toEqual([
      {
        file: "llmux.yaml",
        line: 3,
        column: 19,
        path: "models.g.deployments[0]",
        message: 'expected "<provider id>/<model>", e.g. "openai-1/gpt-4.1"',
      },
      {
        file: "llmux.yaml",
        line: 3,
        column: 25,
        path: "models.g.deployments[1]",
        message: "expected a string or a map, got 5",
      },
      {
        file: "llmux.yaml",
        line: 3,
        column: 28,
        path: "models.g.deployments[2].model",
        message: "is required",
      },
    ]);
  });

  it("names the unset variable of a required field", () => {
    const text = "providers:\n  - id: ${PROVIDER_ID}\n    type: groq\n    api_key: k\n";
    expect(issuesOf(parse(text))).toEqual([
      {
        file: "llmux.yaml",
        line: 2,
        column: 9,
        path: "providers[0].id",
        message: "is required (environment variable PROVIDER_ID is not set)",
      },
    ]);
  });

  it("collects every problem of every section, in file order", () => {
    const text = `server:
  port: abc
routing:
  default_strategy: exhausted
providers:
  - id: a
    type: grok
logging:
  level: loud
`;
    const error = configErrorOf(parse(text));
    expect(error.issues.map((issue) => `${issue.line} ${issue.path}`)).toEqual([
      "2 server.port",
      "4 routing.default_strategy",
      "7 providers[0].type",
      "9 logging.level",
    ]);
    expect(error.issues[1]?.message).toBe(
      'must be one of: weighted, priority, round-robin, least-latency, least-cost, exhaust (got "exhausted") (did you mean "exhaust"?)',
    );
    expect(error.message.split("\n")).toHaveLength(5);
  });

  it("rejects a file that is not a map", () => {
    expect(issuesOf(parse("- a\n- b\n"))).toEqual([
      {
        file: "llmux.yaml",
        line: 1,
        column: 1,
        path: "",
        message:
          "the file must be a map of sections (server, routing, providers, models, state, logging, cache, routes, pricing, budgets, keys)",
      },
    ]);
  });

  it("rejects azure-only fields on other types and tiers mixed with deployments", () => {
    const text = `providers:
  - id: a
    type: groq
    api_key: k
    api_version: 2024-10-21
models:
  g:
    deployments: [a/m]
    tiers: [[a/n]]
`;
    expect(
      issuesOf(parse(text)).map((issue) => `${issue.line}:${issue.column} ${issue.path}: ${issue.message}`),
    ).toEqual([
      '5:18 providers[0].api_version: only applies to type "azure" (this is "groq")',
      "9:12 models.g.tiers: use either deployments (with fallbacks) or tiers, not both",
    ]);
  });

  it("is a ConfigError", () => {
    expect(parse("server: [")).toThrow(ConfigError);
  });
});
