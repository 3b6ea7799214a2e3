import { InvalidRequestError } from "../../../errors/index.js";
import { isRecord } from "../../../util/index.js";

/** A JSON object as the mappers build and read it. */
export type JsonObject = Record<string, unknown>;

/** What a value is, for error messages: `null`, `array`, or its `typeof`. */
export function describe(value: unknown): string {
  if (value === null) return "null";
  return Array.isArray(value) ? "array" : typeof value;
}

/** `value[key]` when `value` is an object, else `undefined`. */
export function field(value: unknown, key: string): unknown {
  return isRecord(value) ? value[key] : undefined;
}

/** `value[key]` when it is a string, else `null`. */
export function stringField(value: unknown, key: string): string | null {
  const found = field(value, key);
  return typeof found === "string" ? found : null;
}

/** `value[key]` when it is a finite number, else `null`. */
export function numberField(value: unknown, key: string): number | null {
  const found = field(value, key);
  return typeof found === "number" && Number.isFinite(found) ? found : null;
}

/** `value` as an object, or an InvalidRequestError naming `param`. */
export function requireRecord(value: unknown, param: string): JsonObject {
  if (!isRecord(value)) {
    throw new InvalidRequestError(`${param} must be an object, not ${describe(value)}.`, { param });
  }
  return value;
}

/** `body[key]` when present and of `type` (`undefined`/`null` → `null`), else an InvalidRequestError. */
export function optional<T extends "string" | "number" | "boolean">(
  body: JsonObject,
  key: string,
  type: T,
): (T extends "string" ? string : T extends "number" ? number : boolean) | null {
  const value = body[key];
  if (value === undefined || value === null) return null;
  if (typeof value !== type || (type === "number" && !Number.isFinite(value))) {
    throw new InvalidRequestError(`${key} must be a ${type}, not ${describe(value)}.`, { param: key });
  }
  return value as T extends "string" ? string : T extends "number" ? number : boolean;
}
