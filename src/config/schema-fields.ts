import { z } from "zod";
import { parseDuration } from "../util/index.js";

/** Marks a custom issue as "this key is not a known field"; `knownFields` feeds the "did you mean". */
export interface UnknownFieldParams {
  knownFields: readonly string[];
}

const numeric = /^\s*-?\d+(?:\.\d+)?\s*$/;

/** Values from `${ENV}` arrive as strings: read "42" as 42 so `port: ${PORT:-4000}` works. */
function toNumber(value: unknown): unknown {
  return typeof value === "string" && numeric.test(value) ? Number(value) : value;
}

function toBoolean(value: unknown): unknown {
  if (typeof value !== "string") return value;
  const lower = value.trim().toLowerCase();
  return lower === "true" ? true : lower === "false" ? false : value;
}

/** An optional field; YAML `key:` with no value (null) counts as not given. */
export function optional<T extends z.ZodType>(schema: T) {
  return z.preprocess((value) => (value === null ? undefined : value), schema.optional());
}

/** A map with exactly these fields; any other key is reported as unknown (with a suggestion). */
export function strictObject<T extends z.ZodRawShape>(shape: T) {
  const params: UnknownFieldParams = { knownFields: Object.keys(shape) };
  const unknownField = z.unknown().superRefine((_value, context) => {
    context.addIssue({ code: "custom", message: "unknown field", params });
  });
  return z.object(shape).catchall(unknownField);
}

/** A non-empty string. */
export const text = z.string().min(1);

/** A whole number ≥ `minimum` (numeric strings accepted). */
export function integer(minimum: number, maximum = Number.MAX_SAFE_INTEGER) {
  return z.preprocess(toNumber, z.number().int().min(minimum).max(maximum));
}

/** Any number (numeric strings accepted). */
export const number = z.preprocess(toNumber, z.number());

/** A string; numbers and booleans are taken as their text (header values such as `3`). */
export const stringLike = z.preprocess(
  (value) => (typeof value === "number" || typeof value === "boolean" ? String(value) : value),
  z.string(),
);

/** A number > 0 (numeric strings accepted). */
export const positiveNumber = z.preprocess(toNumber, z.number().positive());

/** A number ≥ 0 (numeric strings accepted). */
export const nonNegativeNumber = z.preprocess(toNumber, z.number().min(0));

/** `true` / `false` (also as strings, for `${ENV}`). */
export const boolean = z.preprocess(toBoolean, z.boolean());

/** A wrong-type message naming what is expected (other issues keep the standard wording). */
function typeError(expected: string) {
  return (issue: { code: string }) => (issue.code === "invalid_type" ? `expected ${expected}` : undefined);
}

/** Milliseconds: a number, or a duration string such as `30s`, `1500ms`, `5m`. */
export const durationMs = z.preprocess(
  (value) => {
    const number = toNumber(value);
    if (typeof number !== "string") return number;
    return parseDuration(number) ?? number;
  },
  z
    .number({ error: typeError('a number of milliseconds or a duration such as "30s"') })
    .int()
    .min(0),
);

const byteUnits: Record<string, number> = {
  "": 1,
  b: 1,
  kb: 1024,
  kib: 1024,
  mb: 1024 ** 2,
  mib: 1024 ** 2,
  gb: 1024 ** 3,
  gib: 1024 ** 3,
};

/** Bytes: a number, or a size such as `512kb`, `20mb`, `1gb` (binary units, as fastify's). */
export const byteSize = z.preprocess(
  (value) => {
    if (typeof value !== "string") return value;
    const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(value);
    const unit = byteUnits[match?.[2]?.toLowerCase() ?? "?"];
    return match && unit !== undefined ? Math.round(Number(match[1]) * unit) : value;
  },
  z
    .number({ error: typeError('a number of bytes or a size such as "20mb" or "512kb"') })
    .int()
    .min(1),
);

/** An absolute http(s) URL. */
export const httpUrl = z.string().refine(
  (value) => {
    if (!URL.canParse(value)) return false;
    const protocol = new URL(value).protocol;
    return protocol === "http:" || protocol === "https:";
  },
  { message: "must be an absolute http:// or https:// URL" },
);

/** Strategy names a config may use; `exhaust` is MultiRouter's name for `priority`. */
export const strategyNames = [
  "weighted",
  "priority",
  "round-robin",
  "least-latency",
  "least-cost",
  "exhaust",
] as const;

/** A strategy name (see `strategyNames`). */
export const strategy = z.enum(strategyNames);
