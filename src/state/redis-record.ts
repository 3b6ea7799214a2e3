import type { CircuitState, DeploymentHealth, FailureKind, QuotaSnapshot } from "../types/index.js";
import type { CapacityCounters } from "./capacity.js";

/** A health record as Redis holds it: the record and its version (monotonic per deployment). */
export interface VersionedHealth {
  version: number;
  health: DeploymentHealth;
}

const circuits: ReadonlySet<string> = new Set<CircuitState>(["closed", "open", "half_open"]);

/** Thrown when Redis answers something this version of llmux did not write. */
export class UnexpectedReply extends Error {
  constructor(what: string) {
    super(`unexpected Redis reply for ${what}`);
  }
}

function text(value: unknown, what: string): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === "string") return value;
  if (typeof value === "number") return String(value);
  if (Buffer.isBuffer(value)) return value.toString();
  throw new UnexpectedReply(what);
}

function numeric(value: unknown, what: string): number {
  const raw = text(value, what);
  if (raw === null || raw === "") return 0;
  const parsed = Number(raw);
  if (Number.isNaN(parsed)) throw new UnexpectedReply(what);
  return parsed;
}

/** "" (or missing) is null, "=value" is `value`. */
function nullable(value: unknown, what: string): string | null {
  const raw = text(value, what);
  return raw === null || raw === "" ? null : raw.slice(1);
}

/**
 * Decodes a health record from the array a script returns or publishes (or an HMGET of the hash:
 * missing fields are defaults, so a missing key is a fresh record of version 0).
 */
export function decodeHealth(values: unknown): VersionedHealth {
  if (!Array.isArray(values) || values.length !== 11) throw new UnexpectedReply("a health record");
  const [v, cu, cr, bl, ci, cf, ou, oc, pl, dr, da] = values as unknown[];
  const circuit = text(ci, "circuit") ?? "closed";
  if (!circuits.has(circuit)) throw new UnexpectedReply("circuit");
  return {
    version: numeric(v, "version"),
    health: {
      cooldownUntil: numeric(cu, "cooldownUntil"),
      cooldownReason: nullable(cr, "cooldownReason") as FailureKind | null,
      backoffLevel: numeric(bl, "backoffLevel"),
      circuit: circuit as CircuitState,
      consecutiveFailures: numeric(cf, "consecutiveFailures"),
      circuitOpenUntil: numeric(ou, "circuitOpenUntil"),
      circuitOpenCount: numeric(oc, "circuitOpenCount"),
      probeLeaseUntil: numeric(pl, "probeLeaseUntil"),
      disabledReason: nullable(dr, "disabledReason"),
      disabledAt: numeric(da, "disabledAt"),
    },
  };
}

/** The verdict and counters the acquire script returns. */
export interface AcquireReply {
  denied: "requests" | "tokens" | "requests_per_day" | null;
  retryAt: number;
  requests: number;
  tokens: number;
  previousRequests: number;
  previousTokens: number;
  requestsToday: number;
}

const dimensions: ReadonlySet<string> = new Set(["requests", "tokens", "requests_per_day"]);

export function decodeAcquire(values: unknown): AcquireReply {
  if (!Array.isArray(values) || values.length !== 7) throw new UnexpectedReply("acquire");
  const [dimension, retryAt, r, t, pr, pt, today] = values as unknown[];
  const denied = text(dimension, "acquire") ?? "";
  if (denied !== "" && !dimensions.has(denied)) throw new UnexpectedReply("acquire");
  return {
    denied: denied === "" ? null : (denied as AcquireReply["denied"]),
    retryAt: numeric(retryAt, "retryAt"),
    requests: numeric(r, "requests"),
    tokens: numeric(t, "tokens"),
    previousRequests: numeric(pr, "previous requests"),
    previousTokens: numeric(pt, "previous tokens"),
    requestsToday: numeric(today, "requests today"),
  };
}

/** Counters from a sync read: HMGET r t of the current and previous windows, GET of the day. */
export function decodeCounters(
  window: number,
  day: number,
  current: unknown,
  previous: unknown,
  today: unknown,
): CapacityCounters {
  if (!Array.isArray(current) || !Array.isArray(previous)) throw new UnexpectedReply("window counters");
  return {
    window,
    requests: numeric(current[0], "requests"),
    tokens: numeric(current[1], "tokens"),
    previousRequests: numeric(previous[0], "requests"),
    previousTokens: numeric(previous[1], "tokens"),
    day,
    requestsToday: numeric(today, "requests today"),
  };
}

/** A stored quota snapshot (JSON written by `recordQuota`), or null. */
export function decodeQuota(value: unknown): QuotaSnapshot | null {
  const raw = text(value, "quota");
  if (raw === null) return null;
  const parsed: unknown = JSON.parse(raw);
  if (typeof parsed !== "object" || parsed === null || !("at" in parsed)) throw new UnexpectedReply("quota");
  return parsed as QuotaSnapshot;
}
