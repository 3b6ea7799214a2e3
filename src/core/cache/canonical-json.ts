/**
 * JSON text of a value with every object's keys sorted (UTF-16 order) and `undefined` members left out,
 * so two objects with the same members in a different order give the same text. Arrays keep their
 * order; numbers and strings are written as `JSON.stringify` writes them (non-finite numbers as `null`).
 */
export function canonicalJson(value: unknown): string {
  const parts: string[] = [];
  write(value, parts);
  return parts.join("");
}

function write(value: unknown, out: string[]): void {
  if (value === null || typeof value !== "object") {
    out.push(scalar(value));
    return;
  }
  if (Array.isArray(value)) {
    out.push("[");
    value.forEach((item: unknown, index) => {
      if (index > 0) out.push(",");
      // Inside arrays JSON writes `undefined` (and functions) as null.
      write(item === undefined || typeof item === "function" ? null : item, out);
    });
    out.push("]");
    return;
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).sort();
  out.push("{");
  let first = true;
  for (const key of keys) {
    const member = record[key];
    if (member === undefined || typeof member === "function") continue;
    if (!first) out.push(",");
    first = false;
    out.push(JSON.stringify(key), ":");
    write(member, out);
  }
  out.push("}");
}

function scalar(value: unknown): string {
  if (typeof value === "number") return Number.isFinite(value) ? JSON.stringify(value) : "null";
  if (typeof value === "bigint") return value.toString();
  return JSON.stringify(value) ?? "null";
}
