import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, defaultConfig, loadConfigFile } from "../../src/config/index.js";
import { multirouterEnvExample } from "./fixtures/multirouter-readme.js";

describe("loadConfigFile", () => {
  it("reads and compiles a file, naming it in warnings", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "llmux-config-")), "providers.yaml");
    writeFileSync(path, multirouterEnvExample);
    const loaded = await loadConfigFile(path, { GROQ_KEY_1: "a", GROQ_KEY_2: "b" });
    expect(loaded.file).toBe(path);
    expect(loaded.config.providers.map((p) => p.id)).toEqual(["groq-1", "groq-2", "ollama"]);
    expect(loaded.warnings).toEqual([
      `${path}:23:14 providers[2].api_key: is empty: instance "openai-1" skipped (environment variable OPENAI_API_KEY is not set)`,
    ]);
  });

  it("reports a missing file as a ConfigError naming the path", async () => {
    const path = join(tmpdir(), "llmux-no-such-dir", "llmux.yaml");
    const error = await loadConfigFile(path, {}).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).issues).toEqual([
      { file: path, line: null, column: null, path: "", message: "file not found" },
    ]);
    expect((error as ConfigError).message).toBe(
      `Invalid config ${path} (1 problem):\n${path}: file not found`,
    );
  });

  it("reports a directory as a ConfigError", async () => {
    const dir = mkdtempSync(join(tmpdir(), "llmux-config-"));
    await expect(loadConfigFile(dir, {})).rejects.toThrow(`${dir}: is a directory, not a file`);
  });

  it("reports problems with the file's path", async () => {
    const dir = mkdtempSync(join(tmpdir(), "llmux-config-"));
    const path = join(dir, "llmux.yaml");
    writeFileSync(path, "server:\n  port: nope\n");
    await expect(loadConfigFile(path, {})).rejects.toThrow(
      `${path}:2:9 server.port: expected a number, got "nope"`,
    );
  });
});

describe("defaultConfig", () => {
  it("has every default, no providers and no groups", () => {
    expect(defaultConfig({})).toEqual({
      server: {
        host: "127.0.0.1",
        port: 4000,
        bodyLimitBytes: 32 * 1024 * 1024,
        auth: { keys: [], publicStatus: false, publicMetrics: false },
        rateLimit: { perKeyRpm: null, perIpRpm: null },
        shutdownGraceMs: 10_000,
        maxJsonDepth: 128,
        bodyTimeoutMs: 30_000,
        requestReadTimeoutMs: 60_000,
      },
      routing: { strategy: "weighted" },
      providers: [],
      groups: [],
      state: { redis: null },
      logging: { level: "info", format: "json" },
      spend: {
        adminKey: null,
        pricingFile: null,
        maxUsdPerRequest: null,
        groupMaxUsdPerRequest: {},
        downRouteTo: {},
        keys: [],
        database: "llmux-spend.db",
      },
    });
  });

  it("reads LLMUX_API_KEYS and REDIS_URL from the given env", () => {
    const config = defaultConfig({ LLMUX_API_KEYS: "a,b", REDIS_URL: "redis://localhost:6379" });
    expect(config.server.auth.keys).toEqual(["a", "b"]);
    expect(config.state.redis).toEqual({ url: "redis://localhost:6379", prefix: "llmux:" });
  });
});
