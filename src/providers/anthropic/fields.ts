import { isRecord } from "../../util/index.js";

/** A JSON object as the mappers build and read it. */
export type JsonObject = Record<string, unknown>;

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

/** `value[key]` when it is an object, else `null`. */
export function recordField(value: unknown, key: string): JsonObject | null {
  const found = field(value, key);
  return isRecord(found) ? found : null;
}
