import { parseCommandLine, portOption, textOption, UsageError, type CommandLine } from "./args.js";
import { runCheck } from "./check-command.js";
import { commandNamed } from "./commands.js";
import { findConfig } from "./config-file.js";
import { runDemo } from "./demo.js";
import { withEnvFile, type CliEnvironment } from "./env-file.js";
import { exitCodes } from "./exit-codes.js";
import { commandHelp, generalHelp } from "./help.js";
import { runServe } from "./serve-command.js";
import { runSimulatorCommand } from "./sim-command.js";
import { packageVersion } from "./version.js";

function help(line: CommandLine): string {
  const spec = line.command ? commandNamed(line.command) : undefined;
  return spec ? commandHelp(spec) : generalHelp();
}

async function dispatch(
  argv: string[],
  env: Record<string, string | undefined>,
): Promise<number | undefined> {
  let line = parseCommandLine(argv);
  if (line.version) {
    process.stdout.write(`${packageVersion()}\n`);
    return exitCodes.ok;
  }
  if (line.help) {
    process.stdout.write(`${help(line)}\n`);
    return exitCodes.ok;
  }
  if (line.command === "demo" || line.command === "sim") {
    const port = portOption(line.values, line.command);
    if (line.command === "sim") return runSimulatorCommand(line.values, port);
    const host = textOption(line.values, "host") ?? "127.0.0.1";
    return runDemo({ port: port ?? 4000, host, traffic: line.values["no-traffic"] !== true });
  }
  let environment: CliEnvironment;
  try {
    environment = await withEnvFile(env);
  } catch (error) {
    process.stderr.write(`llmux: ${error instanceof Error ? error.message : String(error)}\n`);
    return exitCodes.usage;
  }
  if (line.command === null) {
    const found = findConfig(textOption(line.values, "config"), environment.env);
    line = parseCommandLine(argv, found ? "serve" : "demo");
    if (line.command === "demo") return dispatch(["demo", ...argv], env);
  }
  return line.command === "check" ? runCheck(line.values, environment) : runServe(line.values, environment);
}

/**
 * Runs one CLI invocation; resolves to the exit code (see `exit-codes.ts`), or undefined while a
 * server keeps running until a signal. Usage errors are one line on stderr and exit code 2.
 * `.env` in the working directory adds to `env` for `serve` and `check` (set variables win).
 */
export async function run(
  argv: string[],
  env: Record<string, string | undefined> = process.env,
): Promise<number | undefined> {
  try {
    return await dispatch(argv, env);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`${error.message}\n`);
    return exitCodes.usage;
  }
}
