/**
 * Prompt-cache affinity with the real CLIs: a Claude Code run (`claude -p`, a Bash tool turn: two
 * requests or more, each with its `X-Claude-Code-Session-Id`) and a Codex run (`codex exec`, each
 * turn with its `prompt_cache_key`) against a round-robin group of three OpenAI-compatible
 * deployments through the gateway's smart routing: every request of one session lands on one
 * deployment. Offline, as in cli.test.ts.
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { defaultSmartRouting } from "../../src/core/routing/index.js";
import { SmartRouting } from "../../src/server/cache-routing.js";
import { startSimulator, type Simulator } from "../../src/sim/index.js";
import { gatewayFor, provider, spec } from "../helpers/gateway.js";
import { startTurnProxy, type TurnProxy } from "./turn-proxy.js";

type Json = Record<string, unknown>;

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const claudeBin = join(root, "node_modules", ".bin", "claude");
const codexBin = join(root, "node_modules", ".bin", "codex");
const prompt = "Please call a tool to run the command, then tell me what it printed.";
const runTimeoutMs = 150_000;
const GATEWAY_KEY = "sk-llmux-affinity";
const keys = ["sk-sim-ra01", "sk-sim-rb02", "sk-sim-rc03"];

let sim: Simulator;
let proxy: TurnProxy;
let gateway: ReturnType<typeof gatewayFor>;
let origin: string;
let base: string;
let binDir: string;
let workDir: string;

beforeAll(async () => {
  sim = await startSimulator({
    keys: Object.fromEntries(keys.map((key) => [key, {}])),
    requireKnownKeys: true,
    models: { "sim-chat": {} },
    chunkDelayMs: 1,
  });
  proxy = await startTurnProxy(sim.url);
  const smart = new SmartRouting({ settings: defaultSmartRouting });
  gateway = gatewayFor(
    [
      provider("ra", proxy.url, keys[0]!),
      provider("rb", proxy.url, keys[1]!),
      provider("rc", proxy.url, keys[2]!),
    ],
    [
      {
        name: "rr",
        strategy: "round-robin",
        automatic: false,
        aliases: ["claude-sonnet-4-5", "gpt-5-codex"],
        deployments: [spec("ra", "sim-chat"), spec("rb", "sim-chat"), spec("rc", "sim-chat")],
      },
    ],
    {
      server: {
        auth: { keys: [GATEWAY_KEY], publicStatus: false, publicMetrics: false },
        smartRouting: smart,
      },
    },
  );
  await gateway.app.listen({ port: 0, host: "127.0.0.1" });
  origin = `http://127.0.0.1:${(gateway.app.server.address() as AddressInfo).port}`;
  base = mkdtempSync(join(tmpdir(), "llmux-affinity-"));
  binDir = join(base, "bin");
  workDir = join(base, "work");
  mkdirSync(binDir);
  mkdirSync(workDir);
  writeFileSync(join(binDir, "Paris"), `#!/bin/sh\necho AFFINITY-${randomBytes(4).toString("hex")}\n`);
  chmodSync(join(binDir, "Paris"), 0o755);
});
afterAll(async () => {
  const closing = gateway.close();
  gateway.app.server.closeAllConnections();
  await closing;
  await proxy.close();
  await sim.close();
  rmSync(base, { recursive: true, force: true });
});
beforeEach(() => {
  sim.reset();
  proxy.bodies.length = 0;
  gateway.logger.lines.length = 0;
});

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(command: string, args: string[], env: Record<string, string>): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: workDir, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    const timer = setTimeout(() => child.kill("SIGKILL"), runTimeoutMs);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

function home(name: string): string {
  const dir = join(base, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir);
  writeFileSync(join(dir, ".bash_profile"), `export PATH="${binDir}:$PATH"\n`);
  return dir;
}

const systemPath = `${process.env["PATH"] ?? "/usr/bin:/bin"}`;
const offline = {
  HTTP_PROXY: "http://127.0.0.1:9",
  HTTPS_PROXY: "http://127.0.0.1:9",
  ALL_PROXY: "http://127.0.0.1:9",
  http_proxy: "http://127.0.0.1:9",
  https_proxy: "http://127.0.0.1:9",
  NO_PROXY: "127.0.0.1,localhost",
  no_proxy: "127.0.0.1,localhost",
};

function describeRun(result: Run): string {
  return `exit ${String(result.code)}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr.slice(-4000)}`;
}

/** The deployments that answered a route's requests (the gateway's log lines). */
function deployments(route: string): (string | null)[] {
  return gateway.logger.lines
    .map((line) => line.object)
    .filter((object: Json) => object["route"] === route && object["status"] === 200)
    .map((object: Json) => (object["deployment"] as string | null) ?? null);
}

describe("prompt-cache affinity with the real CLIs", { timeout: runTimeoutMs + 30_000 }, () => {
  it("a Claude Code session stays on one deployment of a round-robin group", async () => {
    const dir = home("claude");
    const result = await run(
      claudeBin,
      ["-p", prompt, "--tools", "Bash", "--allowedTools", "Bash", "--output-format", "text"],
      {
        ...offline,
        PATH: `${binDir}:${systemPath}`,
        HOME: dir,
        CLAUDE_CONFIG_DIR: join(dir, ".claude"),
        ANTHROPIC_BASE_URL: origin,
        ANTHROPIC_API_KEY: GATEWAY_KEY,
        ANTHROPIC_MODEL: "claude-sonnet-4-5",
        ANTHROPIC_SMALL_FAST_MODEL: "claude-sonnet-4-5",
        ENABLE_TOOL_SEARCH: "false",
        CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
        DISABLE_AUTOUPDATER: "1",
        DISABLE_TELEMETRY: "1",
        DISABLE_ERROR_REPORTING: "1",
      },
    );
    expect(result.code, describeRun(result)).toBe(0);
    expect(result.stdout).toMatch(/Hello from sim-chat via key r[abc]0\d\./);
    const seen = deployments("/v1/messages");
    expect(seen.length, describeRun(result)).toBeGreaterThanOrEqual(2);
    expect(new Set(seen).size, JSON.stringify(seen)).toBe(1);
  });

  it("a Codex session (prompt_cache_key) stays on one deployment of a round-robin group", async () => {
    const dir = home("codex");
    const codexHome = join(dir, ".codex");
    mkdirSync(codexHome);
    writeFileSync(
      join(codexHome, "config.toml"),
      [
        `model = "gpt-5-codex"`,
        `model_provider = "llmux"`,
        `check_for_update_on_startup = false`,
        ``,
        `[model_providers.llmux]`,
        `name = "llmux"`,
        `base_url = "${origin}/v1"`,
        `env_key = "LLMUX_KEY"`,
        `wire_api = "responses"`,
        ``,
        `[analytics]`,
        `enabled = false`,
        ``,
      ].join("\n"),
    );
    const result = await run(
      codexBin,
      ["exec", "--skip-git-repo-check", "--dangerously-bypass-approvals-and-sandbox", prompt],
      {
        ...offline,
        PATH: `${binDir}:${systemPath}`,
        HOME: dir,
        CODEX_HOME: codexHome,
        LLMUX_KEY: GATEWAY_KEY,
      },
    );
    expect(result.code, describeRun(result)).toBe(0);
    const seen = deployments("/v1/responses");
    expect(seen.length, describeRun(result)).toBeGreaterThanOrEqual(2);
    expect(new Set(seen).size, JSON.stringify(seen)).toBe(1);
    // Codex sends its session id as prompt_cache_key (kept by the gateway, not sent to this vendor).
    expect(proxy.bodies.length).toBeGreaterThanOrEqual(2);
  });
});
