import type { AdminServerOptions } from "./routes/admin.js";
import type { SpendControl } from "./spend-control.js";
import type { Engine } from "../core/index.js";
import type { SecretRedactor } from "../errors/index.js";
import type { DeploymentCounters } from "../observability/index.js";
import type { SmartRouting } from "./cache-routing.js";
import type { DashboardServerOptions } from "./routes/ui-options.js";

/** What the server needs from metrics (the Prometheus subscriber implements it). */
export interface ServerMetrics {
  observeHttp(route: string, method: string, status: number, seconds: number): void;
  observeOverhead(seconds: number, stream: boolean): void;
  render(): Promise<string>;
  readonly contentType: string;
}

/** The logger the server writes one line per request to (pino implements it). */
export interface ServerLogger {
  info(object: object, message?: string): void;
  warn(object: object, message?: string): void;
  error(object: object, message?: string): void;
  /** When present and false for "info", the per-request line is not even built. */
  isLevelEnabled?(level: string): boolean;
}

/** A provider instance as the status page shows it (no secrets). */
export interface ProviderStatusInfo {
  id: string;
  type: string;
  baseUrl: string;
  models: string[];
}

/** What `/status` shows of the config: its hash and when it was loaded (and reloaded). */
export interface ConfigStatus {
  /** SHA-256 of the config text, hex. */
  hash: string;
  /** Where it was read from (a file path, or the environment variable that held it inline). */
  source: string | null;
  loadedAt: string;
  reloads: { succeeded: number; failed: number; lastError: string | null; lastAttemptAt: string | null };
}

/** Everything the HTTP shell is built from. */
export interface GatewayServerOptions {
  /** Writes the one line per request (fast path); without it, `logger.info`. */
  requestLog?: ((fields: Record<string, unknown>) => void) | undefined;
  engine: Engine;
  /** Largest accepted request body, in bytes. */
  bodyLimitBytes: number;
  /** Deepest JSON nesting accepted in a body (deeper: 400). Default 128. */
  maxJsonDepth?: number;
  /** A body that stops arriving for this long gets a 408 and the connection closed; 0 = none. Default 30 s. */
  bodyTimeoutMs?: number;
  /** A body not complete within this long gets a 408 and the connection closed; 0 = none. Default 60 s. */
  requestReadTimeoutMs?: number;
  /**
   * Masks every configured secret (by value) in error bodies, in-band stream errors, `/status` and
   * `/metrics`. Default: the known key shapes only.
   */
  redactor?: SecretRedactor;
  auth: { keys: readonly string[]; publicStatus: boolean; publicMetrics: boolean };
  rateLimit: { perKeyRpm: number | null; perIpRpm: number | null };
  providers: readonly ProviderStatusInfo[];
  metrics: ServerMetrics | null;
  logger: ServerLogger;
  /** Per-deployment counters for the status page (recent errors, latency, tokens). */
  counters?: (deploymentId: string) => DeploymentCounters;
  version: string;
  /** Route rules, the response cache, intent headers and prompt-cache affinity of chat requests. */
  smartRouting?: SmartRouting | undefined;
  /** The config's hash, load time and reloads, for /status and the dashboard. */
  configStatus?: (() => ConfigStatus | null) | undefined;
  /** The web dashboard at /ui (see `registerUiRoutes`); absent: /ui is not served. */
  dashboard?: DashboardServerOptions | undefined;
  /** Prices, cost, the budget gate and virtual keys (issue 13); absent: no spend control. */
  spend?: SpendControl | undefined;
  /** The admin API (`/admin/*`, `server.admin_key`); absent: /admin is not served. */
  admin?: AdminServerOptions | undefined;
}
