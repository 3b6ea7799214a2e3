import { createServer, type Server } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, tempDir, writeIn } from "./run-cli.js";

const dir = tempDir();
const run = (args: string[]) => runCli(args, dir);
const write = (name: string, text: string) => writeIn(dir, name, text);

/** A config that can be served (a keyless local provider; nothing is ever sent to it). */
const servable = [
  "providers:",
  "  - id: local",
  "    type: openai-compatible",
  "    base_url: http://127.0.0.1:9/v1",
  "    models: [m]",
  "",
].join("\n");

let busy: Server;
let busyPort = 0;
beforeAll(async () => {
  busy = createServer();
  await new Promise<void>((resolve) => busy.listen(0, "127.0.0.1", resolve));
  const address = busy.address();
  busyPort = typeof address === "object" && address ? address.port : 0;
});
afterAll(async () => {
  await new Promise((resolve) => busy.close(resolve));
});

describe("llmux CLI errors", () => {
  it("serve and demo on a busy port: one line, exit 3", async () => {
    const file = write("servable.yaml", servable);
    const [serve, demo] = await Promise.all([
      run(["serve", "--config", file, "--port", String(busyPort)]),
      run(["demo", "--port", String(busyPort), "--no-traffic"]),
    ]);
    expect(serve.code).toBe(3);
    expect(serve.stderr).toBe(
      `llmux serve: port ${busyPort} is in use (127.0.0.1:${busyPort}); stop the other process, or pick another port with --port N (or server.port / PORT)\n`,
    );
    expect(demo.code).toBe(3);
    expect(demo.stderr).toBe(
      `llmux demo: port ${busyPort} is in use (127.0.0.1:${busyPort}); try \`llmux demo --port 0\` (any free port) or another --port\n`,
    );
  });

  it("serve refuses an empty config and one without models, saying why", async () => {
    const empty = write("empty.yaml", "");
    const noModels = write(
      "no-models.yaml",
      "providers:\n  - id: local\n    type: openai-compatible\n    base_url: http://127.0.0.1:9/v1\n",
    );
    const [fromEmpty, fromNoModels, checked] = await Promise.all([
      run(["serve", "--config", empty]),
      run(["serve", "--config", noModels]),
      run(["check", "--config", empty]),
    ]);
    expect(fromEmpty.code).toBe(2);
    expect(fromEmpty.stdout).toBe("");
    expect(fromEmpty.stderr).toContain(
      `llmux serve: refusing to start: ${empty}: no models to serve: no usable provider instances`,
    );
    expect(fromNoModels.code).toBe(2);
    expect(fromNoModels.stderr).toContain(
      `llmux serve: refusing to start: ${noModels}: no models to serve: no provider lists models and there is no models: section`,
    );
    expect(checked.code).toBe(2);
    expect(checked.stdout).toContain(`${empty}: cannot be served`);
    expect(checked.stderr).toContain("no models to serve");
  });

  it("check: a mis-indented YAML file is reported at the wrong line", async () => {
    const deeper = write(
      "deeper.yaml",
      [
        "providers:",
        "  - id: groq-1",
        "    type: groq",
        "      api_key: gsk-test",
        "    models: [m]",
        "",
      ].join("\n"),
    );
    const shallower = write(
      "shallower.yaml",
      ["providers:", "  - id: groq-1", "    type: groq", "   api_key: gsk-test", "    models: [m]", ""].join(
        "\n",
      ),
    );
    const [first, second] = await Promise.all([
      run(["check", "--config", deeper]),
      run(["check", "--config", shallower]),
    ]);
    expect(first.code).toBe(2);
    expect(first.stderr).toBe(
      `Invalid config ${deeper} (1 problem):\n${deeper}:4:7: YAML indentation error: "api_key" is indented deeper than the line above it; keys of one map must start at the same column\n`,
    );
    expect(second.code).toBe(2);
    expect(second.stderr).toContain(`${shallower}:4:4: YAML indentation error: "api_key" does not line up`);
  });

  it("check: `tpye: groq` gets a did-you-mean; `logging.bodies` a warning", async () => {
    const typo = write("typo.yaml", "providers:\n  - id: groq-1\n    tpye: groq\n    api_key: gsk-test\n");
    const bodies = write("bodies.yaml", `${servable}logging:\n  bodies: true\n`);
    const [typoResult, bodiesResult] = await Promise.all([
      run(["check", "--config", typo]),
      run(["check", "--config", bodies]),
    ]);
    expect(typoResult.code).toBe(2);
    expect(typoResult.stderr).toContain(
      `${typo}:3:5 providers[0].tpye: unknown field "tpye" (did you mean "type"?)`,
    );
    expect(bodiesResult.code).toBe(0);
    expect(bodiesResult.stdout).toContain(
      `warning: ${bodies}:7:3 logging.bodies: is not supported and is ignored (llmux never logs request bodies)`,
    );
  });
});
