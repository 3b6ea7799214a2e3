import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSimulator, type Simulator } from "../../src/sim/index.js";

const bin = fileURLToPath(new URL("../../bin/llmux.js", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "llmux-cli-"));

function run(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { env: { ...process.env, ...env }, cwd: dir });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("exit", (code) => resolve({ code, stdout, stderr }));
  });
}

function write(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

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
    const child: ChildProcess = spawn(process.execPath, [bin, "serve", "--config", file], { cwd: dir });
    const url = await new Promise<string>((resolve, reject) => {
      let out = "";
      child.stdout!.on("data", (d: Buffer) => {
        out += d.toString();
        const match = /llmux gateway on (\S+)\/v1/.exec(out);
        if (match?.[1]) resolve(match[1]);
      });
      child.once("exit", (code) => reject(new Error(`exited ${code}: ${out}`)));
    });
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
    const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    const body = await streaming.text();
    expect(body.trim().endsWith("data: [DONE]")).toBe(true);
    expect(await exited).toBe(0);
  });

  it("--version and unknown commands", async () => {
    expect((await run(["--version"])).stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    const unknown = await run(["frobnicate"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("Unknown command");
  });
});
