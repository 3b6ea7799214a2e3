import { ConfigError } from "../config/index.js";
import { SecretRedactor } from "../errors/index.js";
import { portOption, textOption, type OptionValues } from "./args.js";
import { findConfig } from "./config-file.js";
import type { CliEnvironment } from "./env-file.js";
import { exitCodes } from "./exit-codes.js";
import { startGateway } from "./gateway.js";
import { listenFailure } from "./listen-error.js";
import { createCliLogger } from "./logger.js";
import {
  ConfigReloader,
  inlineConfigVariable,
  onReloadSignal,
  readConfig,
  sourceLabel,
  watchConfigFile,
  type ConfigSource,
  type ReadConfig,
} from "./reload.js";
import { unservableReason } from "./servable.js";
import { onShutdown } from "./shutdown.js";

/** The config file (`--config`, `$LLMUX_CONFIG`, a default file), else the inline `$LLMUX_CONFIG_YAML`. */
function configSource(values: OptionValues, env: Record<string, string | undefined>): ConfigSource | null {
  const file = findConfig(textOption(values, "config"), env);
  if (file) return { kind: "file", path: file };
  if (env[inlineConfigVariable]?.trim()) return { kind: "inline", variable: inlineConfigVariable };
  return null;
}

/** The compiled config, or null after printing every problem (file:line:column). */
async function readOrReport(
  source: ConfigSource,
  env: Record<string, string | undefined>,
): Promise<ReadConfig | null> {
  try {
    return await readConfig(source, env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    return null;
  }
}

/**
 * `llmux serve`: loads the config (with the environment and `.env`), refuses one with nothing to
 * serve, starts the gateway and keeps it running until SIGTERM/SIGINT. SIGHUP (and, with `--watch`,
 * a change of the config file) reloads the config without dropping traffic (see `ConfigReloader`).
 * Resolves to an exit code when it does not start (2: config or usage, 3: cannot listen), else to
 * undefined.
 */
export async function runServe(
  values: OptionValues,
  environment: CliEnvironment,
): Promise<number | undefined> {
  const port = portOption(values, "serve");
  const source = configSource(values, environment.env);
  if (!source) {
    process.stderr.write(
      `llmux serve: no config file: pass --config FILE, set LLMUX_CONFIG (or the config itself in ${inlineConfigVariable}), or create llmux.yaml (try \`llmux demo\`)\n`,
    );
    return exitCodes.usage;
  }
  const initial = await readOrReport(source, environment.env);
  if (!initial) return exitCodes.usage;
  const { loaded } = initial;
  const label = sourceLabel(source);
  const reason = unservableReason(loaded.config);
  if (reason !== null) {
    const redactor = SecretRedactor.fromConfig(loaded.config);
    for (const warning of loaded.warnings) process.stderr.write(`warning: ${redactor.redact(warning)}\n`);
    process.stderr.write(`llmux serve: refusing to start: ${label}: ${reason}\n`);
    return exitCodes.usage;
  }
  const { config } = loaded;
  // Every configured secret is masked by value in what the gateway logs (a reload adds its new ones).
  const logRedactor = SecretRedactor.fromConfig(config);
  const { logger, requestLog } = await createCliLogger(config.logging, logRedactor);
  for (const warning of loaded.warnings) logger.warn({ file: label }, warning);
  const host = textOption(values, "host");
  let reloader: ConfigReloader | null = null;
  let gateway;
  try {
    gateway = await startGateway(config, {
      logger,
      requestLog,
      configStatus: () => reloader?.status() ?? null,
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
  const running = gateway;
  reloader = new ConfigReloader({
    source,
    environment,
    logger,
    initial,
    refuse: (next) => unservableReason(next.config),
    apply: (next) => {
      logRedactor.extend(SecretRedactor.fromConfig(next.config));
      return running.reload(next.config);
    },
    count: (result, at) => running.countReload(result, at),
  });
  const reload = (trigger: string) => () => void reloader?.reload(trigger);
  const stopSignal = onReloadSignal(reload("SIGHUP"));
  const watching = values["watch"] === true && source.kind === "file";
  const stopWatch = watching ? watchConfigFile(source.path, reload("watch")) : () => {};
  if (values["watch"] === true && !watching)
    logger.warn({ config: label }, "--watch: the config is not a file; reload it with SIGHUP");
  const groups = gateway.engine.groups().map((group) => group.name);
  logger.info(
    { url: gateway.url, groups, config: label, hash: initial.hash, watch: watching },
    "llmux gateway listening",
  );
  process.stdout.write(`llmux gateway on ${gateway.url}/v1 (models: ${groups.join(", ")})\n`);
  onShutdown(async () => {
    stopSignal();
    stopWatch();
    logger.info({}, "shutting down: finishing in-flight requests");
    await running.close();
    await new Promise<void>((resolve) => logger.flush(() => resolve()));
  });
  return undefined;
}
