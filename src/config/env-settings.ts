import { z } from "zod";
import { unsetAt, type CompileContext, type OriginDraft } from "./context.js";
import type { PathSegment } from "./errors.js";
import { envGatewayKeys } from "./defaults.js";
import { logLevels, type RawLogging, type RawServer } from "./schema.js";
import { integer } from "./schema-fields.js";
import type { SettingName } from "./sources.js";
import type { GatewayConfig, LogFormat } from "./types.js";
import { fromZodIssues } from "./zod-issues.js";

/*
 * Settings a MultiRouter-AI `.env` sets (PORT, API_KEY, LOG_LEVEL, RATE_LIMIT_MAX, NODE_ENV), next to
 * llmux's own LLMUX_API_KEYS. A value written in the config file wins over the variable; each
 * setting records where its value came from, for `llmux check`.
 */

/** A variable's value, or undefined when unset or blank. */
function variable(context: CompileContext, name: string): string | undefined {
  const value = context.env[name]?.trim();
  return value === undefined || value === "" ? undefined : value;
}

/** A variable read through a field schema; an invalid value is a problem naming the variable. */
function parsedVariable<T>(context: CompileContext, name: string, schema: z.ZodType<T>): T | undefined {
  const value = variable(context, name);
  if (value === undefined) return undefined;
  const result = schema.safeParse(value, { reportInput: true });
  if (result.success) return result.data;
  for (const issue of fromZodIssues(result.error.issues, [])) {
    context.issues.push({ path: [], message: `environment variable ${name}: ${issue.message}`, at: "none" });
  }
  return undefined;
}

function record(context: CompileContext, setting: SettingName, origins: OriginDraft[]): void {
  context.origins.set(setting, origins.length > 0 ? origins : [{ kind: "default" }]);
}

/**
 * The file's value, else the variable's, else the default; records which one it was.
 */
function layered<T>(
  context: CompileContext,
  setting: SettingName,
  file: { path: readonly PathSegment[]; value: T | undefined },
  fromEnv: { name: string; value: T | undefined } | null,
  fallback: T,
): T {
  if (file.value !== undefined) {
    record(context, setting, [{ kind: "file", path: file.path }]);
    return file.value;
  }
  if (fromEnv && fromEnv.value !== undefined) {
    record(context, setting, [{ kind: "env", variable: fromEnv.name }]);
    return fromEnv.value;
  }
  record(context, setting, []);
  return fallback;
}

/** `server.host` (no variable: MultiRouter has none). */
export function hostSetting(raw: RawServer | undefined, fallback: string, context: CompileContext): string {
  const file = { path: ["server", "host"], value: raw?.host };
  return layered(context, "server.host", file, null, fallback);
}

/** `server.port`, else `PORT`. */
export function portSetting(raw: RawServer | undefined, fallback: number, context: CompileContext): number {
  const fromEnv = { name: "PORT", value: parsedVariable(context, "PORT", integer(0, 65_535)) };
  return layered(context, "server.port", { path: ["server", "port"], value: raw?.port }, fromEnv, fallback);
}

/** `server.rate_limit.per_ip_rpm`, else `RATE_LIMIT_MAX` (requests per minute per IP); 0 = unlimited (null). */
export function perIpRpmSetting(raw: RawServer | undefined, context: CompileContext): number | null {
  const path = ["server", "rate_limit", "per_ip_rpm"];
  const fromEnv = { name: "RATE_LIMIT_MAX", value: parsedVariable(context, "RATE_LIMIT_MAX", integer(0)) };
  const file = { path, value: raw?.rate_limit?.per_ip_rpm };
  return layered(context, "server.rate_limit.per_ip_rpm", file, fromEnv, 0) || null;
}

/** The keys written in `server.auth.keys` (a list or one comma-separated string), or undefined. */
function writtenKeys(raw: RawServer["auth"], context: CompileContext): string[] | undefined {
  const written = raw?.keys;
  if (written === undefined && unsetAt(context, ["server", "auth", "keys"]).length > 0) {
    context.warnings.push({
      path: ["server", "auth", "keys"],
      message: "empty: no gateway keys from this field",
    });
  }
  if (written === undefined) return undefined;
  const list = typeof written === "string" ? written.split(",") : written;
  const keys: string[] = [];
  list.forEach((key, index) => {
    if (key.trim() !== "") keys.push(key.trim());
    else if (Array.isArray(written)) {
      context.warnings.push({ path: ["server", "auth", "keys", index], message: "empty key ignored" });
    }
  });
  return keys;
}

/**
 * Gateway keys: `server.auth.keys`, else MultiRouter's `API_KEY` (one key); plus every key in
 * `LLMUX_API_KEYS`. None = no auth.
 */
export function gatewayKeysSetting(raw: RawServer["auth"], context: CompileContext): string[] {
  const origins: OriginDraft[] = [];
  let keys = writtenKeys(raw, context);
  if (keys !== undefined) origins.push({ kind: "file", path: ["server", "auth", "keys"] });
  else {
    const apiKey = variable(context, "API_KEY");
    keys = apiKey === undefined ? [] : [apiKey];
    if (apiKey !== undefined) origins.push({ kind: "env", variable: "API_KEY" });
  }
  const extra = envGatewayKeys(context.env);
  if (extra.length > 0) origins.push({ kind: "env", variable: "LLMUX_API_KEYS" });
  record(context, "server.auth.keys", origins);
  return [...new Set([...keys, ...extra])];
}

const levelSchema = z.preprocess((value) => String(value).toLowerCase(), z.enum(logLevels));

/** `NODE_ENV=development` means human-readable logs; anything else (production, unset…) JSON lines. */
function formatOfNodeEnv(nodeEnv: string | undefined): LogFormat | undefined {
  if (nodeEnv === undefined) return undefined;
  return nodeEnv.toLowerCase() === "development" ? "pretty" : "json";
}

/**
 * The `logging` section: `level` (else `LOG_LEVEL`), `format` (else `pretty` when
 * `NODE_ENV=development`, `json` otherwise). `bodies` (never implemented) is ignored with a warning.
 */
export function loggingSetting(
  raw: RawLogging | undefined,
  fallback: GatewayConfig["logging"],
  context: CompileContext,
): GatewayConfig["logging"] {
  if (raw?.bodies !== undefined) {
    context.warnings.push({
      path: ["logging", "bodies"],
      message: "is not supported and is ignored (llmux never logs request bodies)",
      at: "key",
    });
  }
  const levelFromEnv = { name: "LOG_LEVEL", value: parsedVariable(context, "LOG_LEVEL", levelSchema) };
  const level = layered(
    context,
    "logging.level",
    { path: ["logging", "level"], value: raw?.level },
    levelFromEnv,
    fallback.level,
  );
  const formatFromEnv = { name: "NODE_ENV", value: formatOfNodeEnv(variable(context, "NODE_ENV")) };
  const format = layered(
    context,
    "logging.format",
    { path: ["logging", "format"], value: raw?.format },
    formatFromEnv,
    fallback.format,
  );
  return { level, format };
}
