import type { BucketDimension, BucketMode, BucketState, BucketTake } from "../types/index.js";
import { bucketFields } from "./redis-bucket-scripts.js";
import { UnexpectedReply } from "./redis-record.js";

const modes: ReadonlySet<string> = new Set<BucketMode>(["unknown", "headers", "aimd"]);

function text(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === "string") return value;
  if (typeof value === "number") return String(value);
  if (Buffer.isBuffer(value)) return value.toString();
  throw new UnexpectedReply("a bucket");
}

function numeric(value: unknown): number {
  const raw = text(value);
  if (raw === null || raw === "") return 0;
  const parsed = Number(raw);
  if (Number.isNaN(parsed)) throw new UnexpectedReply("a bucket");
  return parsed;
}

function dimension(values: readonly unknown[], at: number): BucketDimension {
  return {
    capacity: numeric(values[at]),
    rate: numeric(values[at + 1]),
    level: numeric(values[at + 2]),
    taken: numeric(values[at + 3]),
    observedMark: numeric(values[at + 4]),
    reserve: numeric(values[at + 5]),
  };
}

/**
 * Decodes a bucket record from the array a script returns (or an HMGET of its hash, in `bucketFields`
 * order). An empty array (no record) or a missing hash (every field nil) is null.
 */
export function decodeBucket(values: unknown): BucketState | null {
  if (!Array.isArray(values)) throw new UnexpectedReply("a bucket");
  if (values.length === 0) return null;
  if (values.length !== bucketFields.length) throw new UnexpectedReply("a bucket");
  const mode = text(values[0]);
  if (mode === null) return null;
  if (!modes.has(mode)) throw new UnexpectedReply("a bucket");
  return {
    mode: mode as BucketMode,
    at: numeric(values[1]),
    answers: numeric(values[2]),
    rejected: numeric(values[3]),
    observedAt: numeric(values[4]),
    deniedAt: numeric(values[5]),
    decreaseMark: numeric(values[6]),
    slowStart: text(values[7]) === "1",
    pacedAt: numeric(values[8]),
    requests: dimension(values, 9),
    tokens: dimension(values, 15),
  };
}

/** The take script's reply: its verdict, then the record. */
export function decodeBucketTake(values: unknown): { take: BucketTake; state: BucketState | null } {
  if (!Array.isArray(values) || values.length !== bucketFields.length + 2)
    throw new UnexpectedReply("a bucket take");
  const [denied, retryAt, ...record] = values as unknown[];
  const state = decodeBucket(record);
  const dimension = text(denied) ?? "";
  if (dimension === "requests" || dimension === "tokens")
    return { take: { ok: false, dimension, retryAt: numeric(retryAt) }, state };
  if (dimension !== "" || state === null) throw new UnexpectedReply("a bucket take");
  return { take: { ok: true, mark: { requests: state.requests.taken, tokens: state.tokens.taken } }, state };
}
