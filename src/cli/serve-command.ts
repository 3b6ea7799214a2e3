import { SecretRedactor } from "../errors/index.js";
import { portOption, textOption, type OptionValues } from "./args.js";
import { findConfig, loadOrReport } from "./config-file.js";
import type { CliEnvironment } from "./env-file.js";
import { exitCodes } from "./exit-codes.js";
import { startGateway } from "./gateway.js";
import { listenFailure } from "./listen-error.js";
import { createCliLogger } from "./logger.js";
import { unservableReason } from "./servable.js";
import { onShutdown } from "./shutdown.js";

/**
 * `llmux serve`: loads the config (with the environment and `.env`), refuses one with nothing to
 * serve, starts the gateway and keeps it running until SIGTERM/SIGINT. Resolves to an exit code when
 * it does not start (2: config or usage, 3: cannot listen), else to undefined.
 */
export async function runServe(
  values: OptionValues,
  environment: CliEnvironment,
): Promise<number | undefined> {
  const port = portOption(values, "serve");
  const file = findConfig(textOption(values, "config"), environment.env);
  if (!file) {
    process.stderr.write(
      "llmux serve: no config file: pass --config FILE, set LLMUX_CONFIG, or create llmux.yaml (try `llmux demo`)\n",
    );
    return exitCodes.usage;
  }
  const loaded = await loadOrReport(file, environment.env);
  if (!loaded) return exitCodes.usage;
  const reason = unservableReason(loaded.config);
  if (reason !== null) {
    const redactor = SecretRedactor.fromConfig(loaded.config);
    for (const warning of loaded.warnings) process.stderr.write(`warning: ${redactor.redact(warning)}\n`);
    process.stderr.write(`llmux serve: refusing to start: ${file}: ${reason}\n`);
    return exitCodes.usage;
  }
  const { config } = loaded;
  // Every configured secret is masked by value in what the gateway logs.
  const { logger, requestLog } = await createCliLogger(config.logging, SecretRedactor.fromConfig(config));
  for (const warning of loaded.warnings) logger.warn({ file }, warning);
  const host = textOption(values, "host");
  let gateway;
  try {
    gateway = await startGateway(config, {
      logger,
      requestLog,
      ...(port === undefined ? {} : { port }),
      ...(host === undefined ? {} : { host }),
    });
  } catch (error) {
    const where = { host: host ?? config.server.host, port: port ?? config.server.port };
    const retry = "stop the other process, or pick another port with --port N (or server.port / PORT)";
    const failure = listenFailure(error, { ...where, retry });
    if (!failure) throw error;
    process.stderr.write(`llmux serve: ${failure.message}\n`);
    return failure.code;
  }
  const groups = gateway.engine.groups().map((group) => group.name);
  logger.info({ url: gateway.url, groups }, "llmux gateway listening");
  process.stdout.write(`llmux gateway on ${gateway.url}/v1 (models: ${groups.join(", ")})\n`);
  onShutdown(async () => {
    logger.info({}, "shutting down: finishing in-flight requests");
    await gateway.close();
    await new Promise<void>((resolve) => logger.flush(() => resolve()));
  });
  return undefined;
}
