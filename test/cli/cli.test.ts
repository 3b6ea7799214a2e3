import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSimulator, type Simulator } from "../../src/sim/index.js";
import { runCli, startCli, tempDir, writeIn } from "./run-cli.js";

const dir = tempDir();
const run = (args: string[], env: Record<string, string> = {}) => runCli(args, dir, env);
const write = (name: string, text: string) => writeIn(dir, name, text);
const packageJson = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
  version: string;
};

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ chunkDelayMs: 40, chunks: 10 });
});
afterAll(async () => {
  await sim.close();
});

describe("llmux CLI", () => {
  it("check: names file, line and field of every mistake and exits 2", async () => {
    const file = write(
      "bad.yaml",
      [
        "server:",
        "  port: not-a-port",
        "providers:",
        "  - id: groq-1",
        "    type: grok",
        "    api-key: x",
        "",
      ].join("\n"),
    );
    const result = await run(["check", "--config", file]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${file}:2:9 server.port`);
    expect(result.stderr).toMatch(new RegExp(`${file}:5:11 providers\\[0\\]\\.type: .*did you mean "groq"`));
    expect(result.stderr).toMatch(
      /providers\[0\]\.api-key: unknown field "api-key" \(did you mean "api_key"\?\)/,
    );
  });

  it("check: prints the routing plan without any key", async () => {
    const file = write(
      "good.yaml",
      [
        "providers:",
        "  - id: one",
        "    type: openai-compatible",
        `    base_url: ${sim.url}`,
        "    api_key: ${ONE_KEY}",
        "models:",
        "  smart:",
        "    deployments: [one/gpt-4.1]",
        "",
      ].join("\n"),
    );
    const result = await run(["check", "--config", file], { ONE_KEY: "sk-very-secret-cli-key" });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("smart");
    expect(result.stdout).toContain("one/gpt-4.1");
    expect(result.stdout).not.toContain("very-secret");
  });

  it("serve: answers requests, and on SIGTERM lets an in-flight stream finish before exiting", async () => {
    const file = write(
      "serve.yaml",
      [
        "server:",
        "  port: 0",
        "providers:",
        "  - id: one",
        "    type: openai-compatible",
        `    base_url: ${sim.url}`,
        "    api_key: k-1",
        "models:",
        "  m:",
        "    deployments: [one/gpt-4.1]",
        "",
      ].join("\n"),
    );
    const { child, match, exited } = await startCli(
      ["serve", "--config", file],
      dir,
      /llmux gateway on (\S+)\/v1/,
    );
    const url = match[1] ?? "";
    const plain = await fetch(`${url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "m", messages: [{ role: "user", content: "hi" }] }),
    });
    expect(plain.status).toBe(200);
    const streaming = await fetch(`${url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "m", messages: [{ role: "user", content: "hi" }], stream: true }),
    });
    child.kill("SIGTERM");
    const body = await streaming.text();
    expect(body.trim().endsWith("data: [DONE]")).toBe(true);
    expect(await exited).toBe(0);
  });

  it("--version prints the package's version", async () => {
    const result = await run(["--version"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`${packageJson.version}\n`);
    expect(packageJson.version).not.toBe("0.0.0");
  });

  it("an unknown option is one line on stderr and exit 2, without a stack trace", async () => {
    const option = await run(["serve", "--prot", "4000"]);
    expect(option.code).toBe(2);
    expect(option.stderr).toBe(
      "llmux serve: unknown option --prot (did you mean --port?); see 'llmux serve --help'\n",
    );
    expect(option.stdout).toBe("");
  });

  it("`llmux sim --help` prints the simulator's help, not the general one", async () => {
    const sim = await run(["sim", "--help"]);
    expect(sim.code).toBe(0);
    expect(sim.stdout).toMatch(/^llmux sim — run the provider simulator/);
    expect(sim.stdout).toContain("--chunk-delay MS");
    expect(sim.stdout).not.toContain("llmux serve");
  });

  it("demo: upstream 429s are absorbed by failover, the fallback takes over when every key is full, no caller errors", async () => {
    const demo = await startCli(["demo", "--port", "0"], dir, /The gateway keeps running at (\S+)\/v1/);
    const output = demo.output();
    demo.child.kill("SIGTERM");
    expect(await demo.exited).toBe(0);
    const number = (pattern: RegExp) => Number(pattern.exec(output)?.[1] ?? Number.NaN);
    const sent = number(/Done: \d+\/(\d+) answered/);
    expect(sent).toBeGreaterThan(0);
    expect(number(/Done: (\d+)\/\d+ answered/)).toBe(sent);
    expect(number(/, (\d+) caller errors\./)).toBe(0);
    const upstream429 = number(/upstream 429s absorbed: +(\d+)/);
    expect(upstream429).toBeGreaterThan(0);
    expect(number(/failovers: +(\d+)/)).toBeGreaterThanOrEqual(upstream429);
    expect(number(/served by the fallback: +(\d+)/)).toBeGreaterThan(0);
    expect(output).toMatch(/another app used up sim-key-1's quota/);
    // The per-second table adds up to the summary.
    const rows = [...output.matchAll(/^ +\d+ +(\d+) +(\d+) +(\d+) +(\d+) +(\d+) +(\d+) {2}/gm)];
    const column = (index: number) => rows.reduce((sum, row) => sum + Number(row[index]), 0);
    expect(column(1)).toBe(sent);
    expect(column(3)).toBe(0);
    expect(column(4)).toBe(upstream429);
  }, 40_000);
});
