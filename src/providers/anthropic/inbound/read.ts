import { InvalidRequestError } from "../../../errors/index.js";
import { isRecord } from "../../../util/index.js";
import type { JsonObject } from "../fields.js";

/** What a value is, for error messages: `null`, `array`, or its `typeof`. */
export function describe(value: unknown): string {
  if (value === null) return "null";
  return Array.isArray(value) ? "array" : typeof value;
}

/** `value` as an object, or an InvalidRequestError naming `param`. */
export function requireRecord(value: unknown, param: string): JsonObject {
  if (!isRecord(value)) {
    throw new InvalidRequestError(`${param} must be an object, not ${describe(value)}.`, { param });
  }
  return value;
}

/** `body[key]` as a string when present (`undefined`/`null` → `null`), else an InvalidRequestError. */
export function optionalString(body: JsonObject, key: string, param = key): string | null {
  const value = body[key];
  if (value === undefined || value === null) return null;
  if (typeof value !== "string") {
    throw new InvalidRequestError(`${param} must be a string, not ${describe(value)}.`, { param });
  }
  return value;
}

/** `body[key]` as a finite number when present (`undefined`/`null` → `null`), else an InvalidRequestError. */
export function optionalNumber(body: JsonObject, key: string, param = key): number | null {
  const value = body[key];
  if (value === undefined || value === null) return null;
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw new InvalidRequestError(`${param} must be a number, not ${describe(value)}.`, { param });
  }
  return value;
}

/** `body[key]` as a boolean when present (`undefined`/`null` → `null`), else an InvalidRequestError. */
export function optionalBoolean(body: JsonObject, key: string, param = key): boolean | null {
  const value = body[key];
  if (value === undefined || value === null) return null;
  if (typeof value !== "boolean") {
    throw new InvalidRequestError(`${param} must be a boolean, not ${describe(value)}.`, { param });
  }
  return value;
}

/** `body[key]` as a non-empty string, else an InvalidRequestError ("… is required"). */
export function requiredString(body: JsonObject, key: string, param = key): string {
  const value = optionalString(body, key, param);
  if (value === null || value === "") throw new InvalidRequestError(`${param} is required.`, { param });
  return value;
}
