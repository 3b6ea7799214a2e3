import { z } from "zod";
import { definedSettings, type SettingTable, type SettingValues } from "../core/engine-settings.js";
import { durationMs, integer, optional } from "./schema-fields.js";

/** The schema of one setting, as written in the file. */
function fieldOf(kind: SettingTable[string]["kind"]): z.ZodType<number> {
  if (kind.type === "duration") return durationMs;
  if (kind.type === "integer") return integer(kind.min);
  return z.preprocess(
    (value) => (typeof value === "string" && value.trim() !== "" ? Number(value) : value),
    z.number().min(0).max(1),
  );
}

/** The file's fields of a settings table: `{ first_token_timeout_ms?: number, … }`. */
export type SettingFields<T extends SettingTable> = {
  [K in keyof T as T[K]["file"]]: ReturnType<typeof optional<z.ZodType<number>>>;
};

/** The zod fields of a settings table, keyed by their snake_case file names (all optional). */
export function settingFields<T extends SettingTable>(table: T): SettingFields<T> {
  const fields: Record<string, unknown> = {};
  for (const name in table) {
    const setting = table[name]!;
    fields[setting.file] = optional(fieldOf(setting.kind));
  }
  return fields as SettingFields<T>;
}

/** The values a parsed section sets, under their option names (`first_token_timeout_ms` → `firstTokenTimeoutMs`). */
export function settingValues<T extends SettingTable>(
  table: T,
  raw: Readonly<Record<string, unknown>> | undefined,
): SettingValues<T> {
  if (raw === undefined) return {} as SettingValues<T>;
  const values: Record<string, number | undefined> = {};
  for (const name in table) {
    const value = raw[table[name]!.file];
    values[name] = typeof value === "number" ? value : undefined;
  }
  return definedSettings(table, values as Partial<Record<keyof T, number>>);
}
