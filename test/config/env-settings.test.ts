import { describe, expect, it } from "vitest";
import { formatSources, parseConfig } from "../../src/config/index.js";
import { issuesOf } from "./issues.js";

const providers = `providers:
  - id: groq-1
    type: groq
    api_key: gsk-test-key-0001
    models: [llama-3.3-70b-versatile]
`;

/** MultiRouter-AI's `.env` variables, as its README lists them. */
const multirouterEnv = {
  PORT: "3000",
  API_KEY: "gateway-secret-0001",
  LOG_LEVEL: "debug",
  RATE_LIMIT_MAX: "100",
  NODE_ENV: "development",
};

describe("MultiRouter-AI's environment variables", () => {
  it("set the port, the gateway key, the per-IP limit, the log level and the log format", () => {
    const { config, sources } = parseConfig(providers, { file: "providers.yaml", env: multirouterEnv });
    expect(config.server.port).toBe(3000);
    expect(config.server.auth.keys).toEqual(["gateway-secret-0001"]);
    expect(config.server.rateLimit).toEqual({ perKeyRpm: null, perIpRpm: 100 });
    expect(config.logging).toEqual({ level: "debug", format: "pretty" });
    expect(sources["server.port"]).toEqual([{ kind: "env", variable: "PORT" }]);
    expect(sources["server.auth.keys"]).toEqual([{ kind: "env", variable: "API_KEY" }]);
    expect(sources["server.rate_limit.per_ip_rpm"]).toEqual([{ kind: "env", variable: "RATE_LIMIT_MAX" }]);
    expect(sources["logging.level"]).toEqual([{ kind: "env", variable: "LOG_LEVEL" }]);
    expect(sources["logging.format"]).toEqual([{ kind: "env", variable: "NODE_ENV" }]);
    expect(sources["server.host"]).toEqual([{ kind: "default" }]);
  });

  it("leave llmux's defaults when unset: port 4000, no auth, no per-IP limit, info, JSON lines", () => {
    const { config, sources } = parseConfig(providers, { file: "providers.yaml", env: {} });
    expect(config.server.port).toBe(4000);
    expect(config.server.auth.keys).toEqual([]);
    expect(config.server.rateLimit.perIpRpm).toBeNull();
    expect(config.logging).toEqual({ level: "info", format: "json" });
    expect(Object.values(sources).every((list) => list.length === 1 && list[0]?.kind === "default")).toBe(
      true,
    );
  });

  it("NODE_ENV=production (or anything but development) means JSON lines; RATE_LIMIT_MAX=0 no limit", () => {
    const env = { NODE_ENV: "production", RATE_LIMIT_MAX: "0" };
    const { config } = parseConfig(providers, { file: "providers.yaml", env });
    expect(config.logging.format).toBe("json");
    expect(config.server.rateLimit.perIpRpm).toBeNull();
  });

  it("lose to the config file, whose fields are reported with their line", () => {
    const text = `server:
  port: 5000
  auth:
    keys: [file-key-0001]
  rate_limit:
    per_ip_rpm: 30
logging:
  level: warn
  format: json
${providers}`;
    const { config, sources } = parseConfig(text, { file: "llmux.yaml", env: multirouterEnv });
    expect(config.server.port).toBe(5000);
    expect(config.server.auth.keys).toEqual(["file-key-0001"]);
    expect(config.server.rateLimit.perIpRpm).toBe(30);
    expect(config.logging).toEqual({ level: "warn", format: "json" });
    expect(sources["server.port"]).toEqual([
      { kind: "file", file: "llmux.yaml", line: 2, field: "server.port" },
    ]);
    expect(sources["server.auth.keys"]).toEqual([
      { kind: "file", file: "llmux.yaml", line: 4, field: "server.auth.keys" },
    ]);
    expect(sources["logging.format"]).toEqual([
      { kind: "file", file: "llmux.yaml", line: 9, field: "logging.format" },
    ]);
  });

  it("keep LLMUX_API_KEYS adding keys, next to API_KEY, and REDIS_URL", () => {
    const env = {
      API_KEY: "gateway-secret-0001",
      LLMUX_API_KEYS: "a-key-0001,b-key-0002",
      REDIS_URL: "redis://r:6379",
    };
    const { config, sources } = parseConfig(providers, { file: "providers.yaml", env });
    expect(config.server.auth.keys).toEqual(["gateway-secret-0001", "a-key-0001", "b-key-0002"]);
    expect(sources["server.auth.keys"]).toEqual([
      { kind: "env", variable: "API_KEY" },
      { kind: "env", variable: "LLMUX_API_KEYS" },
    ]);
    expect(sources["state.redis.url"]).toEqual([{ kind: "env", variable: "REDIS_URL" }]);
  });

  it("are checked: an invalid value is an error naming the variable", () => {
    const env = { PORT: "3000x", RATE_LIMIT_MAX: "-1", LOG_LEVEL: "verbose" };
    const issues = issuesOf(() => parseConfig(providers, { file: "providers.yaml", env }));
    expect(issues.map((issue) => [issue.line, issue.path, issue.message])).toEqual([
      [null, "", 'environment variable PORT: expected a number, got "3000x"'],
      [null, "", "environment variable RATE_LIMIT_MAX: must be >= 0 (got -1)"],
      [
        null,
        "",
        'environment variable LOG_LEVEL: must be one of: trace, debug, info, warn, error, fatal, silent (got "verbose")',
      ],
    ]);
  });

  it("LOG_LEVEL is read case-insensitively, as pino's names", () => {
    const { config } = parseConfig(providers, { file: "providers.yaml", env: { LOG_LEVEL: "WARN" } });
    expect(config.logging.level).toBe("warn");
  });
});

describe("formatSources", () => {
  it("prints each setting, its value and where it came from, never a key", () => {
    const text = `server:\n  port: 5000\n${providers}`;
    const { config, sources } = parseConfig(text, { file: "llmux.yaml", env: multirouterEnv });
    const fromDotEnv = new Set(["API_KEY", "NODE_ENV"]);
    const table = formatSources(config, sources, (name) => (fromDotEnv.has(name) ? ".env" : "environment"));
    expect(table.split("\n").map((line) => line.trim().split(/\s{2,}/))).toEqual([
      ["Where the settings come from:"],
      ["server.host", "127.0.0.1", "default"],
      ["server.port", "5000", "llmux.yaml:2"],
      ["server.auth.keys", "1 key", "API_KEY (.env)"],
      ["server.rate_limit.per_ip_rpm", "100/min", "RATE_LIMIT_MAX (environment)"],
      ["logging.level", "debug", "LOG_LEVEL (environment)"],
      ["logging.format", "pretty", "NODE_ENV (.env)"],
      ["state.redis.url", "in-memory", "default"],
    ]);
    expect(table).not.toContain("gateway-secret");
  });
});

describe("logging.bodies", () => {
  it("is no longer an option: an old file still loads, with a warning", () => {
    const text = `logging:\n  level: info\n  bodies: true\n${providers}`;
    const { config, warnings } = parseConfig(text, { file: "llmux.yaml", env: {} });
    expect(config.logging).toEqual({ level: "info", format: "json" });
    expect(warnings).toEqual([
      "llmux.yaml:3:3 logging.bodies: is not supported and is ignored (llmux never logs request bodies)",
    ]);
  });
});
