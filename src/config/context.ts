import type { PathIssue, PathSegment } from "./errors.js";
import { formatPath } from "./errors.js";
import { unsetNote } from "./interpolate.js";
import type { SettingName } from "./sources.js";

/** Where a setting came from, before file fields are placed at their line. */
export type OriginDraft =
  { kind: "file"; path: readonly PathSegment[] } | { kind: "env"; variable: string } | { kind: "default" };

/** What every compile step reads and reports into. */
export interface CompileContext {
  env: Record<string, string | undefined>;
  /** Field path → the unset variables its value named (from interpolation). */
  unset: ReadonlyMap<string, string[]>;
  /** Problems that make the config unusable. */
  issues: PathIssue[];
  /** Things skipped or suspicious; the config still works. */
  warnings: PathIssue[];
  /** Where each tracked setting came from (for `llmux check`). */
  origins: Map<SettingName, OriginDraft[]>;
}

/** A fresh context (no interpolation notes). */
export function newContext(
  env: Record<string, string | undefined>,
  unset: ReadonlyMap<string, string[]> = new Map(),
): CompileContext {
  return { env, unset, issues: [], warnings: [], origins: new Map() };
}

/** The unset variables the value at `path` named, if any. */
export function unsetAt(context: CompileContext, path: readonly PathSegment[]): string[] {
  return context.unset.get(formatPath(path)) ?? [];
}

/** ` (environment variable X is not set)` when the value at `path` named unset variables, else "". */
export function envNote(context: CompileContext, path: readonly PathSegment[]): string {
  const names = unsetAt(context, path);
  return names.length === 0 ? "" : ` (${unsetNote(names)})`;
}
