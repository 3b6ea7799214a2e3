import { LlmuxError } from "../errors/index.js";
import type { ConfigIssue } from "./types.js";

/** One step of a field path: a map key or a list index. */
export type PathSegment = string | number;

/** A problem before it is placed in the file: the field path and what is wrong. */
export interface PathIssue {
  path: readonly PathSegment[];
  message: string;
  /** Point at the key rather than its value (unknown fields); `none`: the problem has no place in the file (an environment variable). */
  at?: "key" | "none";
}

const plainKey = /^[A-Za-z_][\w-]*$/;

/** Formats a path as `providers[2].type` or `models["gpt-4.1"].tiers[0]`. */
export function formatPath(path: readonly PathSegment[]): string {
  let text = "";
  for (const segment of path) {
    if (typeof segment === "number") text += `[${segment}]`;
    else if (!plainKey.test(segment)) text += `[${JSON.stringify(segment)}]`;
    else text += text === "" ? segment : `.${segment}`;
  }
  return text;
}

/** Formats one issue as `file:line:col path: message`. */
export function formatIssue(issue: ConfigIssue): string {
  let where = issue.file;
  if (issue.line !== null) where += `:${issue.line}`;
  if (issue.line !== null && issue.column !== null) where += `:${issue.column}`;
  return issue.path === "" ? `${where}: ${issue.message}` : `${where} ${issue.path}: ${issue.message}`;
}

/**
 * A config file could not be used. `issues` holds every problem found (not only the first); the
 * message lists them one per line as `file:line:col field.path: message`.
 */
export class ConfigError extends LlmuxError {
  readonly issues: ConfigIssue[];

  constructor(issues: ConfigIssue[]) {
    const count = issues.length === 1 ? "1 problem" : `${issues.length} problems`;
    const file = issues[0]?.file ?? "config";
    super("config_invalid", `Invalid config ${file} (${count}):\n${issues.map(formatIssue).join("\n")}`, {
      status: 400,
    });
    this.issues = issues;
  }
}
