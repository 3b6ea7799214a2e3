/**
 * The package as users get it: `npm pack` of a copy of this checkout (so the test never touches the
 * working tree's dist/), installed into scratch CommonJS and ESM projects, then loaded with
 * `require` and `import`, and its CLI run as a gateway in front of its own simulator.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCommand, startServer, type ServerProcess } from "./processes.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const manifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
  version: string;
  bin: Record<string, string>;
};
const npm = process.platform === "win32" ? "npm.cmd" : "npm";
const npx = process.platform === "win32" ? "npx.cmd" : "npx";
const quiet = ["--prefer-offline", "--no-audit", "--no-fund"];

/** Top-level entries of the checkout that are never part of a package build. */
const notCopied = new Set(["node_modules", ".git", "dist", "coverage"]);

const work = mkdtempSync(join(tmpdir(), "llmux-tarball-"));
const app = join(work, "app");
const servers: ServerProcess[] = [];
let files: string[] = [];

/** Fails with the command's output when it did not exit 0. */
function expectSuccess(result: { code: number | null; stdout: string; stderr: string }, what: string): void {
  if (result.code !== 0)
    throw new Error(`${what} exited ${result.code}:\n${result.stdout}\n${result.stderr}`);
}

/** Copies the checkout, packs it (prepack cleans dist/, prepare builds it) and returns the tarball. */
async function pack(): Promise<string> {
  const checkout = join(work, "checkout");
  cpSync(root, checkout, {
    recursive: true,
    filter: (source) => !notCopied.has(relative(root, source)),
  });
  symlinkSync(join(root, "node_modules"), join(checkout, "node_modules"), "junction");
  const result = await runCommand(npm, ["pack", "--json", "--pack-destination", work], {
    cwd: checkout,
    timeoutMs: 150_000,
  });
  expectSuccess(result, "npm pack");
  const jsonStart = result.stdout.indexOf("[");
  const [packed] = JSON.parse(result.stdout.slice(jsonStart)) as [
    { filename: string; files: { path: string }[] },
  ];
  files = packed.files.map((file) => file.path);
  return join(work, packed.filename);
}

beforeAll(async () => {
  const tarball = await pack();
  mkdirSync(join(app, "esm"), { recursive: true });
  writeFileSync(
    join(app, "package.json"),
    JSON.stringify({ name: "scratch-cjs", version: "1.0.0", private: true }),
  );
  writeFileSync(
    join(app, "esm", "package.json"),
    JSON.stringify({ name: "scratch-esm", version: "1.0.0", private: true, type: "module" }),
  );
  // better-sqlite3 builds from source when its prebuilt binary cannot be downloaded (no internet
  // here): that alone can take minutes on a busy 2-core machine.
  const installed = await runCommand(npm, ["install", tarball, ...quiet], {
    cwd: app,
    timeoutMs: 360_000,
  });
  expectSuccess(installed, "npm install");
}, 540_000);

afterAll(async () => {
  await Promise.all(servers.map((server) => server.stop()));
  rmSync(work, { recursive: true, force: true });
}, 60_000);

describe("the packed tarball", () => {
  it("contains the licence, docs, examples, build and CLI, and no dangling source maps", () => {
    expect(files).toEqual(
      expect.arrayContaining([
        "LICENSE",
        "README.md",
        "package.json",
        "examples/llmux.yaml",
        "examples/providers.yaml",
        "src/config/README.md",
        "dist/src/index.js",
        "dist/src/index.d.ts",
        "bin/llmux.js",
        "dist/src/server/ui/index.html",
        "dist/src/server/ui/login.html",
        "dist/src/server/ui/app.js",
        "dist/src/server/ui/charts.js",
        "dist/src/server/ui/app.css",
      ]),
    );
    expect(files.filter((file) => file.endsWith(".ts") && !file.endsWith(".d.ts"))).toEqual([]);
    expect(files.filter((file) => file.includes(".test."))).toEqual([]);
    for (const map of files.filter((file) => file.endsWith(".map"))) {
      const { sources, sourcesContent } = JSON.parse(
        readFileSync(join(app, "node_modules", "llmux", map), "utf8"),
      ) as { sources: string[]; sourcesContent?: unknown[] };
      const inline = sourcesContent?.length === sources.length;
      const missing = sources
        .map((source) => join(map, "..", source).replaceAll("\\", "/"))
        .filter((path) => !files.includes(path));
      expect({ map, missing: inline ? [] : missing }).toEqual({ map, missing: [] });
    }
  });

  it("loads with require() in a CommonJS project", async () => {
    const script =
      "const { Multiplexer } = require('llmux');" +
      "const mux = new Multiplexer();" +
      "process.stdout.write([typeof Multiplexer, typeof mux.chat.completions.create].join(' '));";
    const result = await runCommand(process.execPath, ["-e", script], { cwd: app });
    expectSuccess(result, "require('llmux')");
    expect(result.stdout).toBe("function function");
  });

  it("loads with import in an ESM project", async () => {
    writeFileSync(
      join(app, "esm", "index.js"),
      [
        'import { Multiplexer, anthropic, gemini } from "llmux";',
        "const imported = await import('llmux');",
        "const mux = new Multiplexer();",
        "process.stdout.write([typeof Multiplexer, typeof anthropic, typeof gemini,",
        "  typeof mux.chat.completions.create, imported.Multiplexer === Multiplexer].join(' '));",
      ].join("\n"),
    );
    const result = await runCommand(process.execPath, ["index.js"], { cwd: join(app, "esm") });
    expectSuccess(result, "import 'llmux'");
    expect(result.stdout).toBe("function function function function true");
  });

  it("npx llmux --version prints the package version", async () => {
    const result = await runCommand(npx, ["llmux", "--version"], { cwd: app });
    expectSuccess(result, "npx llmux --version");
    expect(result.stdout.trim()).toBe(manifest.version);
  });

  it("serves chat completions in front of its simulator, and exits on SIGTERM", async () => {
    const bin = join(app, "node_modules", "llmux", manifest.bin["llmux"] ?? "missing");
    const sim = await startServer(bin, ["sim", "--port", "0", "--keys", "k1"], {
      cwd: app,
      announcement: /llmux simulator on (\S+)/,
    });
    servers.push(sim);
    const config = join(app, "llmux.yaml");
    writeFileSync(
      config,
      [
        "server:",
        "  port: 0",
        "providers:",
        "  - id: sim-1",
        "    type: openai-compatible",
        `    base_url: ${sim.url}`,
        "    api_key: k1",
        "models:",
        "  smart:",
        "    deployments: [sim-1/gpt-4.1]",
        "",
      ].join("\n"),
    );
    const gateway = await startServer(bin, ["serve", "--config", config], {
      cwd: app,
      announcement: /llmux gateway on (\S+)\/v1/,
    });
    servers.push(gateway);
    const response = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "smart", messages: [{ role: "user", content: "hello" }] }),
    });
    const body = (await response.json()) as {
      object?: string;
      choices?: { message?: { role?: string; content?: string } }[];
    };
    expect(response.status, gateway.output()).toBe(200);
    expect(response.headers.get("x-llmux-deployment")).toBe("sim-1/gpt-4.1");
    expect(body.object).toBe("chat.completion");
    expect(body.choices?.[0]?.message?.role).toBe("assistant");
    expect(body.choices?.[0]?.message?.content).toMatch(/\S/);
    // The web dashboard ships in the package: its page, files and data from the installed build.
    const ui = await fetch(`${gateway.url}/ui`);
    expect(ui.status).toBe(200);
    expect(await ui.text()).toContain("/ui/assets/app.js");
    for (const asset of ["app.js", "charts.js", "app.css"])
      expect((await fetch(`${gateway.url}/ui/assets/${asset}`)).status, asset).toBe(200);
    const data = (await (await fetch(`${gateway.url}/ui/data`)).json()) as {
      status: { deployments: { id: string }[]; config: { hash: string } | null };
    };
    expect(data.status.deployments.map((d) => d.id)).toEqual(["sim-1/gpt-4.1"]);
    expect(data.status.config?.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(await gateway.stop()).toBe(0);
    expect(await sim.stop()).toBe(0);
  });
});
