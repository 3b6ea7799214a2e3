import type { z } from "zod";
import type { PathIssue, PathSegment } from "./errors.js";
import type { UnknownFieldParams } from "./schema-fields.js";
import { didYouMean } from "./suggest.js";

type ZodIssue = z.core.$ZodIssue;

const typeNames: Record<string, string> = {
  object: "a map",
  array: "a list",
  string: "a string",
  number: "a number",
  int: "a whole number",
  boolean: "true or false",
  null: "null",
};

/** A short description of a value as the user wrote it. */
function describe(value: unknown): string {
  if (value === null || value === undefined) return "nothing";
  if (typeof value === "string") return JSON.stringify(value.length > 40 ? `${value.slice(0, 20)}…` : value);
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return "a list";
  return "a map";
}

function expectedName(expected: string): string {
  return typeNames[expected] ?? expected;
}

/** True when the union branch failed only because the value had another type altogether. */
function isTypeMismatch(issues: readonly ZodIssue[]): boolean {
  return issues.every(
    (issue) =>
      issue.path.length === 0 &&
      (issue.code === "invalid_type" ||
        (issue.code === "invalid_union" && issue.errors.every((branch) => isTypeMismatch(branch)))),
  );
}

/** The types a union accepts, for "expected a string or a map". */
function unionExpected(issues: readonly ZodIssue[]): string[] {
  return issues.flatMap((issue) => {
    if (issue.code === "invalid_type") return [expectedName(issue.expected)];
    if (issue.code === "invalid_union") return issue.errors.flatMap((branch) => unionExpected(branch));
    return [];
  });
}

function unknownField(issue: ZodIssue): string {
  const key = String(issue.path[issue.path.length - 1] ?? "");
  const known = (issue as { params?: UnknownFieldParams }).params?.knownFields ?? [];
  const hint = didYouMean(key, known);
  return hint === ""
    ? `unknown field "${key}"; allowed: ${known.join(", ")}`
    : `unknown field "${key}"${hint}`;
}

function numberBound(issue: ZodIssue & { code: "too_small" | "too_big" }, word: string): string {
  const bound = issue.code === "too_small" ? issue.minimum : issue.maximum;
  if (issue.origin === "array")
    return Number(bound) <= 1 ? "must not be empty" : `must have ${word} ${bound} items`;
  if (issue.origin === "string") return "must not be empty";
  const sign = issue.code === "too_small" ? (issue.inclusive ? ">=" : ">") : issue.inclusive ? "<=" : "<";
  return `must be ${sign} ${bound} (got ${describe(issue.input)})`;
}

function message(issue: ZodIssue): string {
  switch (issue.code) {
    case "invalid_type":
      if (issue.input === undefined) return "is required";
      if (!issue.message.startsWith("Invalid input")) return `${issue.message}, got ${describe(issue.input)}`;
      return `expected ${expectedName(issue.expected)}, got ${describe(issue.input)}`;
    case "invalid_value": {
      if (issue.input === undefined) return `is required (one of: ${issue.values.map(String).join(", ")})`;
      const allowed = issue.values.map(String);
      const got = typeof issue.input === "string" ? issue.input : describe(issue.input);
      return `must be one of: ${allowed.join(", ")} (got ${describe(issue.input)})${didYouMean(got, allowed)}`;
    }
    case "too_small":
      return numberBound(issue, "at least");
    case "too_big":
      return numberBound(issue, "at most");
    case "custom":
      return issue.message === "unknown field" ? unknownField(issue) : issue.message;
    default:
      return issue.message;
  }
}

/**
 * Turns zod issues into config problems with plain messages: enums list their allowed values,
 * unknown fields suggest the closest known one, and a union (`"<provider>/<model>"` or a map)
 * reports the problems of the form the user evidently meant.
 */
export function fromZodIssues(issues: readonly ZodIssue[], prefix: readonly PathSegment[]): PathIssue[] {
  const out: PathIssue[] = [];
  for (const issue of issues) {
    const path: PathSegment[] = [...prefix, ...issue.path.map((segment) => segment as PathSegment)];
    if (issue.code === "invalid_union") {
      const meant = issue.errors.find((branch) => !isTypeMismatch(branch));
      if (meant) out.push(...fromZodIssues(meant, path));
      else {
        const expected = [...new Set(unionExpected(issue.errors.flat()))].join(" or ");
        out.push({ path, message: `expected ${expected}, got ${describe(issue.input)}` });
      }
      continue;
    }
    const isUnknown = issue.code === "custom" && issue.message === "unknown field";
    out.push(isUnknown ? { path, message: message(issue), at: "key" } : { path, message: message(issue) });
  }
  return out;
}
