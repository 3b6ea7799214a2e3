import {
  pino,
  type DestinationStream,
  type Logger as PinoLogger,
  type LoggerOptions as PinoOptions,
} from "pino";

/** The structured logger llmux writes to (pino). */
export type Logger = PinoLogger;

export interface LoggerOptions {
  /** `trace` … `fatal`, or `silent`; default `info`. */
  level?: string;
  /** Where JSON lines go; default stdout. */
  destination?: DestinationStream;
  /** Pretty printing is left to `pino-pretty` in a pipe; only `false` is accepted. */
  pretty?: false;
  /**
   * Masks secrets by value in every written line (`SecretRedactor` from the config): what field
   * paths cannot catch, such as a key an upstream echoed inside an error message.
   */
  redactor?: { redact(text: string): string };
}

/** Header names that carry credentials. */
const secretHeaders = [
  "authorization",
  "Authorization",
  "proxy-authorization",
  "x-api-key",
  "api-key",
  "x-goog-api-key",
  "cookie",
  "set-cookie",
] as const;

/** Field names that hold credentials in objects (provider specs, options, errors). */
const secretFields = [
  "apiKey",
  "api_key",
  "apikey",
  "authorization",
  "password",
  "secret",
  "token",
  "accessToken",
  "access_token",
] as const;

/** Where header maps are logged. */
const headerMaps = [
  "headers",
  "req.headers",
  "request.headers",
  "res.headers",
  "response.headers",
  "event.headers",
  "upstream.headers",
  "provider.headers",
  "options.headers",
  "err.headers",
  "error.headers",
  "providers.*.headers",
  "config.providers.*.headers",
] as const;

/** Objects that may be logged whole and carry a credential field. */
const objects = [
  "provider",
  "options",
  "config",
  "auth",
  "client",
  "target",
  "upstream",
  "err",
  "error",
  "providers.*",
  "config.providers.*",
  "targets.*",
] as const;

function segment(key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `["${key}"]`;
}

/**
 * Redaction paths. None starts with a wildcard and no top-level name is a field of the request log
 * line: pino re-parses every path under a top-level name present in the logged object on each line
 * (and every `*.…` path for every key), which costs microseconds; absent names cost nothing.
 */
export function redactPaths(): string[] {
  const topLevel = new Set<string>([...secretHeaders, ...secretFields]);
  const paths = [...topLevel].map((key) => segment(key).replace(/^\./, ""));
  for (const map of headerMaps) for (const key of secretHeaders) paths.push(map + segment(key));
  for (const object of objects) for (const key of secretFields) paths.push(object + segment(key));
  return paths;
}

/**
 * A pino logger writing JSON lines, with credentials censored as `[redacted]`: fields that hold
 * them by name, and with a `redactor`, every configured secret wherever it appears in a line.
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const settings: PinoOptions = {
    level: options.level ?? "info",
    redact: { paths: redactPaths(), censor: "[redacted]" },
  };
  const redactor = options.redactor;
  if (redactor) settings.hooks = { streamWrite: (line) => redactor.redact(line) };
  return options.destination ? pino(settings, options.destination) : pino(settings);
}

/** What the gateway knows about one finished request. */
export interface RequestLogFields {
  requestId: string;
  method: string;
  /** The route pattern (`/v1/chat/completions`), not the raw URL. */
  route: string;
  /** The model (group) the client asked for. */
  model: string | null;
  group: string | null;
  /** The deployment that answered (or last tried). */
  deployment: string | null;
  attempts: number;
  status: number;
  latencyMs: number;
  /** Time spent waiting on upstreams. */
  upstreamMs: number;
  stream: boolean;
  errorCode?: string | null;
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

/** The one log line per request: identifiers, outcome and timings, never bodies or headers. */
export function requestLogLine(fields: RequestLogFields): Record<string, unknown> {
  return {
    requestId: fields.requestId,
    method: fields.method,
    route: fields.route,
    model: fields.model,
    group: fields.group,
    deployment: fields.deployment,
    attempts: fields.attempts,
    status: fields.status,
    stream: fields.stream,
    latencyMs: round(fields.latencyMs),
    upstreamMs: round(fields.upstreamMs),
    overheadMs: round(Math.max(0, fields.latencyMs - fields.upstreamMs)),
    errorCode: fields.errorCode ?? null,
  };
}
