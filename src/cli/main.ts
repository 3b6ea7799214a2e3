import { existsSync } from "node:fs";
import { parseArgs } from "node:util";
import { ConfigError, formatPlan, loadConfigFile } from "../config/index.js";
import { createLogger } from "../observability/index.js";
import { runDemo } from "./demo.js";
import { startGateway } from "./gateway.js";
import { onShutdown } from "./shutdown.js";
import { runSimulatorCommand } from "./sim-command.js";
import { packageVersion } from "./version.js";

const usage = `llmux ${packageVersion()} — one OpenAI-compatible endpoint over many LLM keys and providers

Usage:
  llmux demo  [--port N] [--host H] [--no-traffic]   simulated providers + the gateway, no API keys needed
  llmux serve [--config FILE] [--port N] [--host H]  run the gateway
  llmux check [--config FILE]                        validate a config and print the routing plan
  llmux sim   [--port N] [--keys k1,k2] [--rpm N] [--tpm N] [--latency MS] [--chunk-delay MS] [--chunks N]
                                                     run the provider simulator
  llmux help | --version

Without a command, llmux serves when a config file is found (--config, $LLMUX_CONFIG, ./llmux.yaml,
./providers.yaml) and runs the demo otherwise.`;

const defaultConfigFiles = ["llmux.yaml", "llmux.yml", "providers.yaml", "providers.yml"];

/** The config file to use: `--config`, `$LLMUX_CONFIG`, or the first default file that exists. */
function findConfig(explicit: string | undefined, env: NodeJS.ProcessEnv): string | null {
  if (explicit) return explicit;
  if (env["LLMUX_CONFIG"]) return env["LLMUX_CONFIG"];
  return defaultConfigFiles.find((file) => existsSync(file)) ?? null;
}

function printConfigError(error: unknown): number {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
    return 2;
  }
  throw error;
}

/** Runs one CLI invocation; resolves to the exit code (a server keeps running until a signal). */
export async function run(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number | undefined> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      config: { type: "string", short: "c" },
      port: { type: "string", short: "p" },
      host: { type: "string" },
      "no-traffic": { type: "boolean" },
      keys: { type: "string" },
      rpm: { type: "string" },
      tpm: { type: "string" },
      latency: { type: "string" },
      "chunk-delay": { type: "string" },
      chunks: { type: "string" },
      help: { type: "boolean", short: "h" },
      version: { type: "boolean", short: "v" },
    },
  });
  if (values.version) {
    process.stdout.write(`${packageVersion()}\n`);
    return 0;
  }
  let command = positionals[0];
  if (values.help || command === "help") {
    process.stdout.write(`${usage}\n`);
    return 0;
  }
  const port = values.port === undefined ? undefined : Number(values.port);
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) {
    process.stderr.write(`--port must be a port number, got '${values.port}'\n`);
    return 2;
  }
  const configFile = findConfig(values.config, env);
  command ??= configFile ? "serve" : "demo";
  switch (command) {
    case "demo":
      return runDemo({
        port: port ?? 4000,
        host: values.host ?? "127.0.0.1",
        traffic: values["no-traffic"] !== true,
      });
    case "sim":
      return runSimulatorCommand(values, port);
    case "check": {
      if (!configFile) {
        process.stderr.write("No config file: pass --config FILE (or create llmux.yaml).\n");
        return 2;
      }
      try {
        const loaded = await loadConfigFile(configFile, env);
        for (const warning of loaded.warnings) process.stdout.write(`warning: ${warning}\n`);
        process.stdout.write(`${configFile}: OK\n\n${formatPlan(loaded.config)}\n`);
        return 0;
      } catch (error) {
        return printConfigError(error);
      }
    }
    case "serve": {
      if (!configFile) {
        process.stderr.write(
          "No config file: pass --config FILE, set LLMUX_CONFIG, or create llmux.yaml (try `llmux demo`).\n",
        );
        return 2;
      }
      let loaded;
      try {
        loaded = await loadConfigFile(configFile, env);
      } catch (error) {
        return printConfigError(error);
      }
      const logger = createLogger({ level: loaded.config.logging.level });
      for (const warning of loaded.warnings) logger.warn({ file: configFile }, warning);
      const options: { logger: typeof logger; port?: number; host?: string } = { logger };
      if (port !== undefined) options.port = port;
      if (values.host !== undefined) options.host = values.host;
      const gateway = await startGateway(loaded.config, options);
      logger.info(
        { url: gateway.url, groups: gateway.engine.groups().map((g) => g.name) },
        "llmux gateway listening",
      );
      process.stdout.write(
        `llmux gateway on ${gateway.url}/v1 (models: ${gateway.engine
          .groups()
          .map((g) => g.name)
          .join(", ")})\n`,
      );
      onShutdown(async () => {
        logger.info({}, "shutting down: finishing in-flight requests");
        await gateway.close();
      });
      return undefined;
    }
    default:
      process.stderr.write(`Unknown command '${command}'.\n\n${usage}\n`);
      return 2;
  }
}
