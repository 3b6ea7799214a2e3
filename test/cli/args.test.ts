import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { parseCommandLine, UsageError } from "../../src/cli/args.js";
import { run } from "../../src/cli/main.js";

let stdout = "";
let stderr = "";
beforeEach(() => {
  stdout = "";
  stderr = "";
  vi.spyOn(process.stdout, "write").mockImplementation((chunk) => {
    stdout += String(chunk);
    return true;
  });
  vi.spyOn(process.stderr, "write").mockImplementation((chunk) => {
    stderr += String(chunk);
    return true;
  });
});
afterEach(() => {
  vi.restoreAllMocks();
});

describe("the command line", () => {
  it.each([
    [["serv"], "llmux: unknown command 'serv' (did you mean 'serve'?); see 'llmux --help'"],
    [["frobnicate"], "llmux: unknown command 'frobnicate'; see 'llmux --help'"],
    [["--bogus"], "llmux: unknown option --bogus; see 'llmux --help'"],
    [
      ["serve", "--prot", "1"],
      "llmux serve: unknown option --prot (did you mean --port?); see 'llmux serve --help'",
    ],
    [
      ["demo", "--no-trafic"],
      "llmux demo: unknown option --no-trafic (did you mean --no-traffic?); see 'llmux demo --help'",
    ],
    [["check", "--no-traffic"], "llmux check: unknown option --no-traffic; see 'llmux check --help'"],
    [["check", "--config"], "llmux check: option --config needs a value; see 'llmux check --help'"],
    [["check", "extra.yaml"], "llmux check: unexpected argument 'extra.yaml'; see 'llmux check --help'"],
    [["help", "sevre"], "llmux: unknown command 'sevre' (did you mean 'serve'?); see 'llmux --help'"],
  ])("%j is a usage error: %s", async (argv, message) => {
    expect(() => parseCommandLine(argv)).toThrow(UsageError);
    expect(await run(argv, {})).toBe(2);
    expect(stderr).toBe(`${message}\n`);
    expect(stdout).toBe("");
  });

  it.each([
    [["demo", "--port", "http"], "llmux demo: --port must be a port number (0-65535), got 'http'"],
    [["sim", "--port", "70000"], "llmux sim: --port must be a port number (0-65535), got '70000'"],
    [["sim", "--rpm=-3"], "llmux sim: --rpm must be a non-negative number, got '-3'"],
  ])("%j: a bad value is a usage error", async (argv, message) => {
    expect(await run(argv, {})).toBe(2);
    expect(stderr).toBe(`${message}\n`);
  });

  it("reads each command's options, and --help / help COMMAND", () => {
    expect(parseCommandLine(["serve", "-c", "a.yaml", "--port", "5000"])).toEqual({
      command: "serve",
      help: false,
      version: false,
      values: { config: "a.yaml", port: "5000" },
    });
    expect(parseCommandLine(["sim", "--help"])).toMatchObject({ command: "sim", help: true });
    expect(parseCommandLine(["help", "check"])).toMatchObject({ command: "check", help: true });
    expect(parseCommandLine(["--port", "5000"])).toMatchObject({ command: null, values: { port: "5000" } });
    expect(parseCommandLine(["--port", "5000"], "demo")).toMatchObject({ command: "demo" });
  });

  it("`llmux <command> --help` prints that command's help; `llmux --help` the general one", async () => {
    expect(await run(["help", "serve"], {})).toBe(0);
    expect(stdout).toMatch(
      /^llmux serve — run the gateway\n\nUsage: llmux serve \[--config FILE\] \[--port N\] \[--host H\]/,
    );
    expect(stdout).toContain("PORT, API_KEY, RATE_LIMIT_MAX, LOG_LEVEL, NODE_ENV");
    expect(stdout).toContain("3 the port is in use");
    stdout = "";
    expect(await run(["check", "-h"], {})).toBe(0);
    expect(stdout).toMatch(/^llmux check — validate a config/);
    expect(stdout).not.toContain("--port");
    stdout = "";
    expect(await run(["demo", "--help"], {})).toBe(0);
    expect(stdout).toMatch(/^llmux demo — /);
    expect(stdout).toContain("--no-traffic");
    stdout = "";
    expect(await run(["--help"], {})).toBe(0);
    expect(stdout).toMatch(/^llmux \d+\.\d+\.\d+ — /);
    for (const command of ["demo", "serve", "check", "sim"]) expect(stdout).toContain(`  llmux ${command} [`);
  });
});
