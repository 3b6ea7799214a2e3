/**
 * Hot reload: the config is validated first (a broken one changes nothing, is logged with file:line
 * and counted), then the plan is swapped at once — streams in flight finish on the plan they started
 * with, unchanged deployments keep their state, removed ones drain.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGateway, type RunningGateway } from "../../src/cli/gateway.js";
import {
  ConfigReloader,
  onReloadSignal,
  readConfig,
  watchConfigFile,
  type ConfigSource,
} from "../../src/cli/reload.js";
import { unservableReason } from "../../src/cli/servable.js";
import { createLogger } from "../../src/observability/index.js";
import { startSimulator, type Simulator } from "../../src/sim/index.js";

const folder = mkdtempSync(join(tmpdir(), "llmux-reload-"));
const file = join(folder, "llmux.yaml");
const source: ConfigSource = { kind: "file", path: file };
const logLines: Array<Record<string, unknown>> = [];
let sim: Simulator;
let gateway: RunningGateway;
let reloader: ConfigReloader;

function configText(deployments: string[], extraProvider = false): string {
  return [
    "server:",
    "  port: 0",
    "providers:",
    ...["sim-1", "sim-2", ...(extraProvider ? ["sim-3"] : [])].flatMap((id) => [
      `  - id: ${id}`,
      "    type: openai-compatible",
      `    base_url: ${sim.url}`,
      `    api_key: sk-${id}-reload-key`,
    ]),
    "models:",
    `  smart: { deployments: [${deployments.join(", ")}] }`,
    "",
  ].join("\n");
}

beforeAll(async () => {
  // 20 chunks 40 ms apart: each stream lasts about 0.8 s.
  sim = await startSimulator({ chunkDelayMs: 40, chunks: 20 });
  writeFileSync(file, configText(["sim-1/gpt-4.1", "sim-2/gpt-4.1"]));
  const initial = await readConfig(source, {});
  const logger = createLogger({
    destination: { write: (line: string) => void logLines.push(JSON.parse(line) as Record<string, unknown>) },
  });
  gateway = await startGateway(initial.loaded.config, {
    logger,
    port: 0,
    configStatus: () => reloader.status(),
  });
  reloader = new ConfigReloader({
    source,
    environment: { env: {}, file: null, fromFile: new Set() },
    logger,
    initial,
    refuse: (next) => unservableReason(next.config),
    apply: (next) => gateway.reload(next.config),
    count: (result, at) => gateway.countReload(result, at),
  });
});

afterAll(async () => {
  await gateway.close(1000);
  await sim.close();
  rmSync(folder, { recursive: true, force: true });
});

async function status(): Promise<{
  config: { hash: string; loadedAt: string; reloads: { succeeded: number; failed: number } };
  groups: Array<{ name: string; tiers: Array<Array<{ deployment: string }>> }>;
  deployments: Array<{ id: string; state: { status: string }; stats: { success: number } | null }>;
}> {
  const response = await fetch(`${gateway.url}/status`);
  return (await response.json()) as never;
}

async function stream(
  id: number,
): Promise<{ status: number; deployment: string | null; body: string; endedAt: number }> {
  const response = await fetch(`${gateway.url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-request-id": `reload-${id}` },
    body: JSON.stringify({ model: "smart", messages: [{ role: "user", content: `hi ${id}` }], stream: true }),
  });
  const body = await response.text();
  return {
    status: response.status,
    deployment: response.headers.get("x-llmux-deployment"),
    body,
    endedAt: Date.now(),
  };
}

function contentChunks(body: string): number {
  let count = 0;
  for (const line of body.split("\n")) {
    if (!line.startsWith("data: {")) continue;
    const event = JSON.parse(line.slice(6)) as { choices?: Array<{ delta?: { content?: string } }> };
    if (event.choices?.[0]?.delta?.content) count += 1;
  }
  return count;
}

async function metric(name: string): Promise<string> {
  const text = await (await fetch(`${gateway.url}/metrics`)).text();
  return text
    .split("\n")
    .filter((line) => line.startsWith(name))
    .join("\n");
}

describe("hot reload", () => {
  it("a broken config changes nothing: the old plan keeps serving, the problems are logged with file:line and counted", async () => {
    const before = await status();
    writeFileSync(
      file,
      configText(["sim-1/gpt-4.1"]).replace("type: openai-compatible", "tpye: openai-compatible"),
    );
    const result = await reloader.reload("test");
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.join("\n")).toMatch(
      /llmux\.yaml:\d+:\d+ providers\[0\]\.tpye: unknown field "tpye"/,
    );
    const failure = logLines.find((line) => line["msg"]?.toString().startsWith("config reload failed"));
    expect(failure?.["problems"]).toEqual(result.problems);
    const after = await status();
    expect(after.config.hash).toBe(before.config.hash);
    expect(after.config.loadedAt).toBe(before.config.loadedAt);
    expect(after.groups).toEqual(before.groups);
    expect(after.config.reloads).toMatchObject({ succeeded: 0, failed: 1 });
    expect(await metric("llmux_config_reloads_total")).toContain(
      'llmux_config_reloads_total{result="failure"} 1',
    );
    // A config with nothing to serve is refused the same way.
    writeFileSync(file, "providers: []\n");
    expect((await reloader.reload("test")).ok).toBe(false);
    const served = await stream(0);
    expect(served.status).toBe(200);
    expect(served.body).toContain("data: [DONE]");
  });

  it("swaps the plan during 50 streams: none is lost, kept deployments keep their state, removed ones drain", async () => {
    const until = Date.now() + 600_000;
    const statsBefore =
      (await status()).deployments.find((d) => d.id === "sim-1/gpt-4.1")?.stats?.success ?? 0;
    const hashBefore = (await status()).config.hash;

    const sent = sim.requests.length;
    const streams = Array.from({ length: 50 }, (_, index) => stream(index + 1));
    // Every stream under way upstream (each lasts about 0.8 s) before the reload.
    for (let waited = 0; sim.requests.length < sent + 50 && waited < 5000; waited += 10)
      await new Promise((resolve) => setTimeout(resolve, 10));
    expect(sim.requests.length).toBe(sent + 50);
    // Streams are under way on sim-1 and sim-2; the reload drops sim-2 and adds sim-3.
    const drainingSeen = gateway.engine.groups()[0]?.deployments.map((d) => d.id);
    expect(drainingSeen).toEqual(["sim-1/gpt-4.1", "sim-2/gpt-4.1"]);
    // State to keep: a cooldown far in the future, visible in /status after the reload.
    gateway.engine.store.coolDown("sim-1/gpt-4.1", until, "rate_limited", false);
    writeFileSync(file, configText(["sim-1/gpt-4.1", "sim-3/gpt-4.1"], true));
    const result = await reloader.reload("test");
    const reloadedAt = Date.now();
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.change).toMatchObject({
      added: ["sim-3/gpt-4.1"],
      removed: ["sim-2/gpt-4.1"],
      kept: ["sim-1/gpt-4.1"],
    });

    const results = await Promise.all(streams);
    for (const [index, done] of results.entries()) {
      expect({ index, status: done.status }).toEqual({ index, status: 200 });
      // Still streaming when the plan was swapped.
      expect(done.endedAt).toBeGreaterThanOrEqual(reloadedAt);
      expect(done.body.trimEnd().endsWith("data: [DONE]"), done.body).toBe(true);
      expect(done.body).not.toContain('"error"');
      expect(contentChunks(done.body)).toBe(20);
    }
    expect(new Set(results.map((r) => r.deployment))).toEqual(new Set(["sim-1/gpt-4.1", "sim-2/gpt-4.1"]));

    const after = await status();
    expect(after.config.hash).not.toBe(hashBefore);
    expect(after.config.reloads.succeeded).toBe(1);
    expect(after.groups[0]?.tiers.flat().map((d) => d.deployment)).toEqual([
      "sim-1/gpt-4.1",
      "sim-3/gpt-4.1",
    ]);
    const kept = after.deployments.find((d) => d.id === "sim-1/gpt-4.1");
    // The cooldown set before the reload is still there, and so are its stats.
    expect(kept?.state.status).toBe("cooling");
    expect(kept?.stats?.success ?? 0).toBeGreaterThanOrEqual(statsBefore);
    expect(after.deployments.map((d) => d.id)).not.toContain("sim-2/gpt-4.1");
    // New requests go to the new plan (sim-1 is cooling: sim-3 serves).
    const fresh = await stream(99);
    expect(fresh.status).toBe(200);
    expect(fresh.deployment).toBe("sim-3/gpt-4.1");
    expect(await metric("llmux_config_reloads_total")).toContain(
      'llmux_config_reloads_total{result="success"} 1',
    );
    gateway.engine.store.coolDown("sim-1/gpt-4.1", 0, "rate_limited", false);
  }, 30_000);

  it("watches the config file's folder (a rename over the file counts) and listens for SIGHUP", async () => {
    let changes = 0;
    const stop = watchConfigFile(file, () => (changes += 1), 50);
    writeFileSync(join(folder, "other.txt"), "not the config");
    writeFileSync(`${file}.tmp`, configText(["sim-1/gpt-4.1"]));
    writeFileSync(file, configText(["sim-1/gpt-4.1"]));
    await new Promise((resolve) => setTimeout(resolve, 400));
    stop();
    expect(changes).toBe(1);
    let signals = 0;
    const off = onReloadSignal(() => (signals += 1));
    process.emit("SIGHUP");
    off();
    process.emit("SIGHUP" as never);
    expect(signals).toBe(process.platform === "win32" ? 0 : 1);
  });
});
