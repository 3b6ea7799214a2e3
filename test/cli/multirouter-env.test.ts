import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { runCli, startCli, tempDir, writeIn } from "./run-cli.js";

/** A MultiRouter-AI `providers.yaml` whose key comes from `.env`, as in MultiRouter's README. */
const providersYaml = [
  "routing:",
  "  default_strategy: exhaust",
  "providers:",
  "  - id: groq-1",
  "    type: groq",
  "    api_key: ${GROQ_KEY_1}",
  "    models:",
  "      - llama-3.3-70b-versatile",
  "",
].join("\n");

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  return typeof address === "object" && address ? address.port : 0;
}

/** A folder laid out like a MultiRouter-AI checkout: providers.yaml and .env. */
function multirouterDir(dotEnv: string[]): string {
  const dir = tempDir();
  writeIn(dir, "providers.yaml", providersYaml);
  writeIn(dir, ".env", `${dotEnv.join("\n")}\n`);
  return dir;
}

/** Resolves once `output()` matches `pattern`, or after 2 s (the assertion that follows then fails). */
async function outputMatching(output: () => string, pattern: RegExp): Promise<void> {
  for (let waited = 0; waited < 2_000 && !pattern.test(output()); waited += 25)
    await new Promise((resolve) => setTimeout(resolve, 25));
}

describe("coming from MultiRouter-AI: its .env and variables", () => {
  it("check says where each setting came from: .env, the environment, the file, or the default", async () => {
    const dir = multirouterDir([
      "# MultiRouter-AI .env",
      "PORT=3000",
      "API_KEY=mr-gateway-secret-0001",
      "LOG_LEVEL=debug",
      "RATE_LIMIT_MAX=100",
      "NODE_ENV=development",
      "GROQ_KEY_1=gsk_dotenv_key_0001",
    ]);
    const result = await runCli(["check"], dir, { LOG_LEVEL: "warn" });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("providers.yaml: OK");
    expect(result.stdout).toContain("groq-1 (groq)");
    const table = result.stdout.slice(result.stdout.indexOf("Where the settings come from:"));
    const rows = table
      .trim()
      .split("\n")
      .slice(1)
      .map((line) => line.trim().split(/\s{2,}/));
    expect(rows).toEqual([
      ["server.host", "127.0.0.1", "default"],
      ["server.port", "3000", "PORT (.env)"],
      ["server.auth.keys", "1 key", "API_KEY (.env)"],
      ["server.rate_limit.per_ip_rpm", "100/min", "RATE_LIMIT_MAX (.env)"],
      ["logging.level", "warn", "LOG_LEVEL (environment)"],
      ["logging.format", "pretty", "NODE_ENV (.env)"],
      ["state.redis.url", "in-memory", "default"],
    ]);
    expect(result.stdout).not.toContain("mr-gateway-secret");
    expect(result.stdout).not.toContain("gsk_dotenv");
  });

  it("examples/providers.yaml with examples/multirouter.env as .env checks out", async () => {
    const dir = tempDir();
    writeIn(
      dir,
      "providers.yaml",
      readFileSync(new URL("../../examples/providers.yaml", import.meta.url), "utf8"),
    );
    const dotEnv = readFileSync(new URL("../../examples/multirouter.env", import.meta.url), "utf8");
    writeIn(dir, ".env", dotEnv.replace("GROQ_KEY_1=", "GROQ_KEY_1=gsk_example_key_0001"));
    const result = await runCli(["check"], dir);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/server\.port +3000 +PORT \(\.env\)\n/);
    expect(result.stdout).toMatch(/server\.auth\.keys +none \(open\) +default\n/);
    expect(result.stdout).toMatch(/logging\.format +pretty +NODE_ENV \(\.env\)\n/);
    expect(result.stdout).toContain("groq-1 (groq)");
  });

  it("the config file wins over .env, and check gives its file:line", async () => {
    const dir = multirouterDir(["PORT=3000", "GROQ_KEY_1=gsk_dotenv_key_0001"]);
    writeIn(dir, "llmux.yaml", `server:\n  port: 5000\n${providersYaml}`);
    const result = await runCli(["check"], dir);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/server\.port +5000 +llmux\.yaml:2\n/);
  });

  it("serve listens on PORT from .env, requires API_KEY, limits each IP to RATE_LIMIT_MAX a minute, logs JSON in production", async () => {
    const port = await freePort();
    const dir = multirouterDir([
      `PORT=${port}`,
      "API_KEY=mr-gateway-secret-0001",
      "RATE_LIMIT_MAX=2",
      "NODE_ENV=production",
      "GROQ_KEY_1=gsk_dotenv_key_0001",
    ]);
    const gateway = await startCli(["serve"], dir, /llmux gateway on (\S+)\/v1/);
    try {
      expect(gateway.match[1]).toBe(`http://127.0.0.1:${port}`);
      const models = (key?: string) =>
        fetch(
          `http://127.0.0.1:${port}/v1/models`,
          key ? { headers: { authorization: `Bearer ${key}` } } : {},
        );
      expect((await models()).status).toBe(401);
      expect((await models("mr-gateway-secret-0001")).status).toBe(200);
      expect((await models("mr-gateway-secret-0001")).status).toBe(200);
      const limited = await models("mr-gateway-secret-0001");
      expect(limited.status).toBe(429);
      expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
      // Log lines are written in batches (at least every 250 ms): wait for the batch.
      await outputMatching(gateway.output, /^\{"level":30,.*"msg":"llmux gateway listening"\}$/m);
      expect(gateway.output()).toMatch(/^\{"level":30,.*"msg":"llmux gateway listening"\}$/m);
    } finally {
      gateway.child.kill("SIGTERM");
      await gateway.exited;
    }
  }, 30_000);

  it("NODE_ENV=development logs human-readable lines; a set variable wins over .env", async () => {
    const dir = multirouterDir(["NODE_ENV=production", "PORT=1", "GROQ_KEY_1=gsk_dotenv_key_0001"]);
    const gateway = await startCli(["serve"], dir, /llmux gateway on (\S+)\/v1/, {
      NODE_ENV: "development",
      PORT: "0",
    });
    try {
      await outputMatching(gateway.output, /^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: llmux gateway listening$/m);
      expect(gateway.output()).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: llmux gateway listening$/m);
      expect(gateway.output()).not.toContain('"level":30');
    } finally {
      gateway.child.kill("SIGTERM");
      await gateway.exited;
    }
  });
});
