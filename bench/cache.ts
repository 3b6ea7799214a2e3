/**
 * Response cache and smart-routing cost: `npm run bench:cache [-- --seconds N] [-- --rounds N]`.
 *
 * The built CLI (`npm run build` first) over the minimal upstream mock, pinned like `bench:gateway`
 * (servers on core 0, load on core 1), one gateway per config, and llmux's own CPU per request:
 *
 * - `plain`: nothing configured (the default hot path);
 * - `miss`: cache on, every answer looked up and parsed but never kept (`max_entry_bytes: 1`): the
 *   whole miss path, every time;
 * - `hit`: cache on, the same request again and again: served from memory, no upstream call;
 * - `rules`: three route rules (one on the intent) and the intent headers: the classifier runs per request.
 *
 * Bars (issue 14): a hit costs ≤ 50 % of a miss; the classifier and rules add ≤ 5 % to `plain`.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { runLoad } from "./pinned/load.js";
import { killServers, startPinned, type Pinned } from "./pinned/processes.js";

const args = process.argv.slice(2).join(" ");
const seconds = Number(/--seconds[= ](\d+)/.exec(args)?.[1] ?? 3);
const rounds = Number(/--rounds[= ](\d+)/.exec(args)?.[1] ?? 3);
const connections = 32;
const model = "gpt-4.1";
const twoCores = cpus().length >= 2;
const serverCore = twoCores ? 0 : null;
const loadCore = twoCores ? 1 : null;
const root = fileURLToPath(new URL("..", import.meta.url));
const here = (file: string): string => fileURLToPath(new URL(file, import.meta.url));
const body = (stream: boolean) =>
  JSON.stringify({ model, stream, messages: [{ role: "user", content: "Say hello to the team, briefly." }] });

const configs: Record<string, string> = {
  plain: "",
  miss: "cache: { enabled: true, max_entry_bytes: 1 }\n",
  hit: "cache: { enabled: true }\n",
  rules: `routes:
  - { match: { model: ${model}, intent: code_gen }, group: ${model} }
  - { match: { model: ${model}, min_prompt_tokens: 20000 }, group: ${model} }
  - { match: { model: [auto] }, group: ${model} }
routing: { intent_headers: true }
`,
};

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function startLlmux(name: string, upstream: string, extra: string): Promise<Pinned> {
  const dir = mkdtempSync(join(tmpdir(), "llmux-bench-cache-"));
  const file = join(dir, "llmux.yaml");
  writeFileSync(
    file,
    `server: { port: ${await freePort()} }
logging: { level: warn }
providers:
  - { id: mock, type: openai-compatible, base_url: "${upstream}", api_key: bench-key }
models:
  ${model}: { deployments: [mock/${model}] }
${extra}`,
  );
  const env = { ...process.env };
  delete env["REDIS_URL"];
  return startPinned({
    name,
    core: serverCore,
    command: process.execPath,
    args: [join(root, "bin/llmux.js"), "serve", "--config", file],
    ready: /llmux gateway on (\S+\/v1)/,
    env,
    cwd: dir,
  });
}

async function main(): Promise<void> {
  const upstream = await startPinned({
    name: "upstream",
    core: serverCore,
    command: process.execPath,
    args: ["--import", "tsx", here("./pinned/upstream-mock.ts"), "{}"],
    ready: /READY (\S+)/,
  });
  const servers: Record<string, Pinned> = {};
  for (const [name, extra] of Object.entries(configs))
    servers[name] = await startLlmux(name, upstream.url, extra);
  const perRequest: Record<string, number[]> = {};
  for (const stream of [false, true]) {
    for (let round = 0; round < rounds; round += 1) {
      for (const name of Object.keys(configs)) {
        const server = servers[name]!;
        const url = `${server.url}/chat/completions`;
        await runLoad(url, body(stream), connections, 1, loadCore); // warm (and fill the cache)
        const before = server.cpuUs();
        const result = await runLoad(url, body(stream), connections, seconds, loadCore);
        const cpu = (server.cpuUs() - before) / Math.max(1, result.ok);
        (perRequest[`${name}/${stream ? "stream" : "non-stream"}`] ??= []).push(cpu);
        process.stderr.write(
          `${name} ${stream ? "stream" : "non-stream"} round ${round + 1}: ${cpu.toFixed(0)} µs/req, ${result.ok} ok, ${result.failed} failed\n`,
        );
      }
    }
  }
  const median = (values: number[]) =>
    [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;
  console.log(
    `\nllmux own CPU per request (median of ${rounds} rounds of ${seconds} s, ${connections} connections)`,
  );
  for (const kind of ["non-stream", "stream"]) {
    const m = (name: string) => median(perRequest[`${name}/${kind}`] ?? []);
    console.log(
      `${kind.padEnd(10)} plain ${m("plain").toFixed(0)} µs, rules+intent ${m("rules").toFixed(0)} µs (${((m("rules") / m("plain") - 1) * 100).toFixed(1)} %), ` +
        `miss ${m("miss").toFixed(0)} µs, hit ${m("hit").toFixed(0)} µs (hit/miss ${((m("hit") / m("miss")) * 100).toFixed(0)} %)`,
    );
  }
  for (const server of Object.values(servers)) await server.stop();
  await upstream.stop();
  killServers();
}

void main().catch((error: unknown) => {
  console.error(error);
  killServers();
  process.exit(1);
});
