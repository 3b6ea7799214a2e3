/**
 * The real Claude Code (`@anthropic-ai/claude-code`) and Codex (`@openai/codex`) CLIs, pinned as
 * devDependencies, run non-interactively (`claude -p`, `codex exec`) against the gateway and the
 * simulator, offline: HOME, CLAUDE_CONFIG_DIR and CODEX_HOME are temporary directories, the
 * environment holds nothing but what the test sets (telemetry, auto-update and nonessential
 * traffic off), and the only endpoint either CLI knows is the local gateway.
 *
 * Each run is one agent turn that calls a shell tool and uses its output: the simulator answers
 * "call a tool" with a call of the first tool with its string arguments set to "Paris", so the
 * command the agent runs is `Paris` — a script on the test's PATH that prints a nonce. The nonce
 * must reach the model in the next request (what the simulator or the proxy in front of it saw),
 * and the CLI must print the simulator's final answer.
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { GATEWAY_KEY, KEYS, startAgentStack, type AgentStack } from "./stack.js";

type Json = Record<string, unknown>;

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const claudeBin = join(root, "node_modules", ".bin", "claude");
const codexBin = join(root, "node_modules", ".bin", "codex");
const prompt = "Please call a tool to run the command, then tell me what it printed.";
const runTimeoutMs = 150_000;

let stack: AgentStack;
let base: string;
let nonce: string;
let binDir: string;
let workDir: string;

beforeAll(async () => {
  stack = await startAgentStack();
  // Not under /tmp directly: Codex refuses to put its helper binaries under a temp dir (it warns).
  base = mkdtempSync(join(tmpdir(), "llmux-agents-"));
  nonce = `LLMUX-TOOL-OUTPUT-${randomBytes(4).toString("hex")}`;
  binDir = join(base, "bin");
  workDir = join(base, "work");
  mkdirSync(binDir);
  mkdirSync(workDir);
  writeFileSync(join(binDir, "Paris"), `#!/bin/sh\necho ${nonce}\n`);
  chmodSync(join(binDir, "Paris"), 0o755);
});
afterAll(async () => {
  await stack.close();
  rmSync(base, { recursive: true, force: true });
});
beforeEach(() => stack.reset());

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a CLI with exactly `env` (nothing inherited), stdin closed, in the work directory. */
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

/** A fresh home directory; bash login shells (Codex runs `bash -lc`) get the test's PATH too. */
function home(name: string): string {
  const dir = join(base, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir);
  writeFileSync(join(dir, ".bash_profile"), `export PATH="${binDir}:$PATH"\n`);
  return dir;
}

const systemPath = `${process.env["PATH"] ?? "/usr/bin:/bin"}`;

/**
 * Offline: any connection a CLI tried beyond the local gateway would go to a proxy on a closed
 * port (and fail); the gateway and simulator on 127.0.0.1 are reached directly.
 */
const offline = {
  HTTP_PROXY: "http://127.0.0.1:9",
  HTTPS_PROXY: "http://127.0.0.1:9",
  ALL_PROXY: "http://127.0.0.1:9",
  http_proxy: "http://127.0.0.1:9",
  https_proxy: "http://127.0.0.1:9",
  NO_PROXY: "127.0.0.1,localhost",
  no_proxy: "127.0.0.1,localhost",
};

function claude(model: string): Promise<Run> {
  const dir = home(`claude-${model}`);
  return run(
    claudeBin,
    ["-p", prompt, "--tools", "Bash", "--allowedTools", "Bash", "--output-format", "text"],
    {
      ...offline,
      PATH: `${binDir}:${systemPath}`,
      HOME: dir,
      CLAUDE_CONFIG_DIR: join(dir, ".claude"),
      ANTHROPIC_BASE_URL: stack.origin,
      ANTHROPIC_API_KEY: GATEWAY_KEY,
      ANTHROPIC_MODEL: model,
      ANTHROPIC_SMALL_FAST_MODEL: model,
      // One tool list as sent, without the deferred-tool placeholder of tool search.
      ENABLE_TOOL_SEARCH: "false",
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
      DISABLE_AUTOUPDATER: "1",
      DISABLE_TELEMETRY: "1",
      DISABLE_ERROR_REPORTING: "1",
    },
  );
}

function codex(model: string): Promise<Run> {
  const dir = home(`codex-${model}`);
  const codexHome = join(dir, ".codex");
  mkdirSync(codexHome);
  writeFileSync(
    join(codexHome, "config.toml"),
    [
      `model = "${model}"`,
      `model_provider = "llmux"`,
      `check_for_update_on_startup = false`,
      ``,
      `[model_providers.llmux]`,
      `name = "llmux"`,
      `base_url = "${stack.baseURL}"`,
      `env_key = "LLMUX_KEY"`,
      `wire_api = "responses"`,
      ``,
      `[analytics]`,
      `enabled = false`,
      ``,
    ].join("\n"),
  );
  return run(
    codexBin,
    ["exec", "--skip-git-repo-check", "--dangerously-bypass-approvals-and-sandbox", prompt],
    { ...offline, PATH: `${binDir}:${systemPath}`, HOME: dir, CODEX_HOME: codexHome, LLMUX_KEY: GATEWAY_KEY },
  );
}

function describeRun(result: Run): string {
  return `exit ${String(result.code)}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr.slice(-4000)}`;
}

/** The gateway's request log lines for one route. */
function logged(route: string): Json[] {
  return stack.gateway.logger.lines.map((line) => line.object).filter((object) => object["route"] === route);
}

const text = (value: unknown): string => JSON.stringify(value);

describe("Claude Code", { timeout: runTimeoutMs + 30_000 }, () => {
  it("completes a Bash tool turn through a translated (OpenAI-compatible) upstream", async () => {
    const result = await claude("claude-sonnet-4-5");
    expect(result.code, describeRun(result)).toBe(0);
    expect(result.stdout).toContain("Hello from sim-chat via key oa01.");
    const bodies = stack.proxy.bodies as Json[];
    const called = bodies.findIndex((body) => text(body["tools"]).includes('"name":"Bash"'));
    expect(called, "a request offered the Bash tool").toBeGreaterThanOrEqual(0);
    const answered = bodies.find((body) =>
      (body["messages"] as Json[]).some(
        (message) => message["role"] === "tool" && text(message).includes(nonce),
      ),
    );
    expect(answered, "the tool's output went back to the model").toBeDefined();
    expect(answered!["stream"]).toBe(true);
    expect(stack.sim.requests.every((request) => request.path === "/v1/chat/completions")).toBe(true);
    const lines = logged("/v1/messages");
    expect(lines.length).toBeGreaterThanOrEqual(2);
    expect(lines.every((line) => line["status"] === 200 && line["errorCode"] === null)).toBe(true);
  });

  it("completes a Bash tool turn passed through to Anthropic upstreams, with one failover", async () => {
    stack.sim.addFault({ kind: "status", status: 429, key: KEYS.an1, times: 1 });
    const result = await claude("claude-opus-4-8");
    expect(result.code, describeRun(result)).toBe(0);
    // The key of later turns depends on how long the engine cools the refused key down.
    expect(result.stdout).toMatch(/Hello from claude-sim via key an0[12]\./);
    const requests = stack.sim.requests.filter((request) => request.path === "/v1/messages");
    const [refused, retried] = requests;
    expect(refused).toMatchObject({ key: KEYS.an1, status: 429 });
    // The failover sent the same body (only `model` differs from Claude Code's, and not between keys).
    expect(retried).toMatchObject({ key: KEYS.an2, status: 200 });
    expect(retried!.body).toEqual(refused!.body);
    expect((retried!.body as Json)["model"]).toBe("claude-sim");
    expect(retried!.headers["anthropic-version"]).toBe("2023-06-01");
    expect(retried!.headers["anthropic-beta"]).toBe(refused!.headers["anthropic-beta"]);
    const toolTurn = requests.find((request) => text(request.body).includes(nonce));
    expect(toolTurn, "the tool's output went back to the model").toBeDefined();
    const messages = (toolTurn!.body as Json)["messages"] as Json[];
    expect(text(messages)).toContain('"type":"tool_result"');
    expect(text(messages)).toContain('"name":"Bash"');
  });
});

describe("Codex", { timeout: runTimeoutMs + 30_000 }, () => {
  it("completes a shell tool turn through a translated (OpenAI-compatible) upstream", async () => {
    const result = await codex("gpt-5-codex");
    expect(result.code, describeRun(result)).toBe(0);
    expect(result.stdout).toContain("Hello from sim-chat via key oa01.");
    const bodies = stack.proxy.bodies as Json[];
    const answered = bodies.find((body) =>
      (body["messages"] as Json[]).some(
        (message) => message["role"] === "tool" && text(message).includes(nonce),
      ),
    );
    expect(answered, `the tool's output went back to the model\n${describeRun(result)}`).toBeDefined();
    const lines = logged("/v1/responses");
    expect(lines.length).toBeGreaterThanOrEqual(2);
    expect(lines.every((line) => line["status"] === 200 && line["errorCode"] === null)).toBe(true);
  });

  it("completes a shell tool turn through Anthropic upstreams (translated twice), with one failover", async () => {
    stack.sim.addFault({ kind: "status", status: 429, key: KEYS.an1, times: 1 });
    const result = await codex("claude-pass");
    expect(result.code, describeRun(result)).toBe(0);
    // The key of later turns depends on how long the engine cools the refused key down.
    expect(result.stdout).toMatch(/Hello from claude-sim via key an0[12]\./);
    const requests = stack.sim.requests.filter((request) => request.path === "/v1/messages");
    expect(requests[0]).toMatchObject({ key: KEYS.an1, status: 429 });
    const toolTurn = requests.find((request) => text(request.body).includes(nonce));
    expect(toolTurn, `the tool's output went back to the model\n${describeRun(result)}`).toBeDefined();
    expect(toolTurn).toMatchObject({ status: 200 });
    expect(requests[1]).toMatchObject({ key: KEYS.an2, status: 200 });
    expect(text((toolTurn!.body as Json)["messages"])).toContain('"type":"tool_result"');
  });
});
