import { createHash } from "node:crypto";
import { watch, type FSWatcher } from "node:fs";
import { readFile } from "node:fs/promises";
import { basename, dirname } from "node:path";
import { ConfigError, parseConfig, type LoadedConfig } from "../config/index.js";
import type { Logger } from "../observability/index.js";
import type { ConfigStatus } from "../server/index.js";
import { withEnvFile, type CliEnvironment } from "./env-file.js";
import type { PlanChange } from "./reload-plan.js";

/** The environment variable that may hold the whole config inline (containers without a file). */
export const inlineConfigVariable = "LLMUX_CONFIG_YAML";

/** Where the config comes from: a file, or the YAML text of an environment variable. */
export type ConfigSource = { kind: "file"; path: string } | { kind: "inline"; variable: string };

/** A config as read: its text's SHA-256 and the compiled result. */
export interface ReadConfig {
  hash: string;
  loaded: LoadedConfig;
}

function hashOf(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/** A label for logs and /status: the path, or `$LLMUX_CONFIG_YAML`. */
export function sourceLabel(source: ConfigSource): string {
  return source.kind === "file" ? source.path : `$${source.variable}`;
}

async function readText(source: ConfigSource, env: Record<string, string | undefined>): Promise<string> {
  if (source.kind === "inline") return env[source.variable] ?? "";
  try {
    return await readFile(source.path, "utf8");
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const reason = code === "ENOENT" ? "file not found" : `cannot read the file (${String(code ?? error)})`;
    throw new ConfigError([{ file: source.path, line: null, column: null, path: "", message: reason }]);
  }
}

/** Reads and compiles the config of `source` (throws `ConfigError` with every problem, file:line:column). */
export async function readConfig(
  source: ConfigSource,
  env: Record<string, string | undefined>,
): Promise<ReadConfig> {
  const text = await readText(source, env);
  const loaded = parseConfig(text, { file: sourceLabel(source), env });
  return { hash: hashOf(text), loaded };
}

/** The result of one reload. */
export type ReloadResult = { ok: true; hash: string; change: PlanChange } | { ok: false; problems: string[] };

export interface ConfigReloaderOptions {
  source: ConfigSource;
  /** The environment the gateway started with; a reload reads the `.env` file again on top of the process's variables. */
  environment: CliEnvironment;
  logger: Logger;
  /** The config the gateway started with. */
  initial: ReadConfig;
  /** Refuses a config (returns why) that must not be served: nothing to serve. */
  refuse: (loaded: LoadedConfig) => string | null;
  /** Swaps the validated config in; throws (changing nothing) when it cannot. */
  apply: (loaded: LoadedConfig) => PlanChange;
  /** Counts each reload's result (a metric). */
  count?: (result: "success" | "failure", at: number) => void;
  now?: () => number;
}

/**
 * Re-reads the config on SIGHUP or a file change: validates it first (on any problem the running
 * config stays, every problem is logged with file:line and the failure is counted), then swaps it
 * in at once through `apply`. Reloads never overlap: one asked for while another runs follows it.
 */
export class ConfigReloader {
  readonly #options: ConfigReloaderOptions;
  readonly #now: () => number;
  #hash: string;
  #loadedAt: number;
  #succeeded = 0;
  #failed = 0;
  #lastError: string | null = null;
  #lastAttemptAt: number | null = null;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(options: ConfigReloaderOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#hash = options.initial.hash;
    this.#loadedAt = this.#now();
  }

  /** The config's hash, load time and reload counts, for /status and the dashboard. */
  status(): ConfigStatus {
    return {
      hash: this.#hash,
      source: sourceLabel(this.#options.source),
      loadedAt: new Date(this.#loadedAt).toISOString(),
      reloads: {
        succeeded: this.#succeeded,
        failed: this.#failed,
        lastError: this.#lastError,
        lastAttemptAt: this.#lastAttemptAt === null ? null : new Date(this.#lastAttemptAt).toISOString(),
      },
    };
  }

  /** Reloads now (after any reload under way); `trigger` is logged (`SIGHUP`, `watch`). */
  reload(trigger: string): Promise<ReloadResult> {
    const next = this.#queue.then(() => this.#reload(trigger));
    this.#queue = next.catch(() => {});
    return next;
  }

  async #environment(): Promise<Record<string, string | undefined>> {
    const { environment } = this.#options;
    if (environment.file === null && environment.fromFile.size === 0) return environment.env;
    const base: Record<string, string | undefined> = {};
    for (const [name, value] of Object.entries(environment.env))
      if (!environment.fromFile.has(name)) base[name] = value;
    const folder = environment.file === null ? process.cwd() : dirname(environment.file);
    return (await withEnvFile(base, folder)).env;
  }

  #fail(problems: string[], trigger: string, at: number): ReloadResult {
    const { logger, source } = this.#options;
    this.#failed += 1;
    this.#lastError = problems.join("\n");
    this.#options.count?.("failure", at);
    logger.error(
      { config: sourceLabel(source), trigger, problems },
      `config reload failed, the running config is kept:\n${problems.join("\n")}`,
    );
    return { ok: false, problems };
  }

  async #reload(trigger: string): Promise<ReloadResult> {
    const { logger, source } = this.#options;
    const at = this.#now();
    this.#lastAttemptAt = at;
    let read: ReadConfig;
    try {
      read = await readConfig(source, await this.#environment());
    } catch (error) {
      if (error instanceof ConfigError) return this.#fail(error.message.split("\n").slice(1), trigger, at);
      return this.#fail([error instanceof Error ? error.message : String(error)], trigger, at);
    }
    const refused = this.#options.refuse(read.loaded);
    if (refused !== null) return this.#fail([`${sourceLabel(source)}: ${refused}`], trigger, at);
    let change: PlanChange;
    try {
      change = this.#options.apply(read.loaded);
    } catch (error) {
      return this.#fail([error instanceof Error ? error.message : String(error)], trigger, at);
    }
    this.#hash = read.hash;
    this.#loadedAt = at;
    this.#succeeded += 1;
    this.#lastError = null;
    this.#options.count?.("success", at);
    for (const warning of read.loaded.warnings) logger.warn({ config: sourceLabel(source) }, warning);
    logger.info(
      {
        config: sourceLabel(source),
        trigger,
        hash: read.hash,
        added: change.added,
        removed: change.removed,
        changed: change.changed,
        kept: change.kept.length,
      },
      "config reloaded",
    );
    if (change.restartNeeded.length > 0)
      logger.warn(
        { config: sourceLabel(source), settings: change.restartNeeded },
        `config reloaded; these settings changed but take effect only at a restart: ${change.restartNeeded.join(", ")}`,
      );
    return { ok: true, hash: read.hash, change };
  }
}

/**
 * Calls `onChange` (debounced) when `file` changes. Watches its folder, not the file: editors and
 * Kubernetes ConfigMaps replace a file by renaming another over it, which ends a watch on the file.
 */
export function watchConfigFile(file: string, onChange: () => void, debounceMs = 250): () => void {
  const name = basename(file);
  let timer: NodeJS.Timeout | null = null;
  let watcher: FSWatcher;
  try {
    watcher = watch(dirname(file), { persistent: false }, (_event, changed) => {
      if (changed !== null && changed !== name && !changed.startsWith("..")) return;
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => {
        timer = null;
        onChange();
      }, debounceMs);
      timer.unref();
    });
  } catch {
    return () => {};
  }
  watcher.on("error", () => {});
  return () => {
    if (timer) clearTimeout(timer);
    watcher.close();
  };
}

/** Runs `handler` on every SIGHUP (where the platform has it); returns the unsubscribe. */
export function onReloadSignal(handler: () => void): () => void {
  if (process.platform === "win32") return () => {};
  process.on("SIGHUP", handler);
  return () => process.off("SIGHUP", handler);
}
