import type { LineCounter, YAMLError } from "yaml";
import type { ConfigIssue } from "./types.js";

/** The 1-based line of an offset, its first non-blank column, and the key written on it (if any). */
function lineAt(text: string, lineCounter: LineCounter, offset: number) {
  const { line } = lineCounter.linePos(offset);
  const start = lineCounter.lineStarts[line - 1] ?? 0;
  const content = text.slice(start).split("\n")[0] ?? "";
  const indent = content.length - content.trimStart().length;
  const key = /^(?:-\s+)?([^:#\s][^:#]*?)\s*:(?:\s|$)/.exec(content.trimStart())?.[1] ?? null;
  return { line, column: indent + 1, indent, key };
}

function quoted(key: string | null): string {
  return key === null ? "this line" : `"${key}"`;
}

/**
 * One YAML error (or warning) as a config problem. Indentation mistakes point at the line that is
 * wrong: a key indented deeper than its siblings is reported by the parser at the value before it
 * ("Implicit keys need to be on a single line"), and is placed here on the deeper line itself.
 */
export function syntaxIssue(
  error: YAMLError,
  text: string,
  lineCounter: LineCounter,
  file: string,
): ConfigIssue {
  const at = (line: number, column: number, message: string): ConfigIssue => ({
    file,
    line,
    column,
    path: "",
    message,
  });
  const start = lineCounter.linePos(error.pos[0]);
  if (error.code === "DUPLICATE_KEY") {
    const key = text.slice(error.pos[0]).split(/[:\n]/)[0]?.trim() ?? "";
    return at(start.line, start.col, `duplicate key "${key}": a key may appear only once in a map`);
  }
  const first = lineAt(text, lineCounter, error.pos[0]);
  if (error.code === "MULTILINE_IMPLICIT_KEY") {
    const wrong = lineAt(text, lineCounter, error.pos[1]);
    if (wrong.line > first.line && wrong.indent > first.indent) {
      const message = `YAML indentation error: ${quoted(wrong.key)} is indented deeper than the line above it; keys of one map must start at the same column`;
      return at(wrong.line, wrong.column, message);
    }
  }
  if (error.code === "BAD_INDENT" && error.message.startsWith("All mapping items")) {
    const message = `YAML indentation error: ${quoted(first.key)} does not line up with the keys above it; keys of one map must start at the same column`;
    return at(first.line, first.column, message);
  }
  if (error.code === "MISSING_CHAR" && error.message.startsWith("Sequence item without")) {
    const message = `YAML indentation error: ${quoted(first.key)} does not line up with the keys of the list item above it`;
    return at(first.line, first.column, message);
  }
  return at(start.line, start.col, `YAML syntax error: ${error.message}`);
}

/**
 * Every YAML error as a config problem, without the follow-on errors the parser reports after an
 * indentation mistake: once an error starts on a line, later errors starting on that line are
 * dropped, and "Nested mappings are not allowed in compact mappings" is dropped when the same spot
 * has the clearer multi-line key error.
 */
export function syntaxIssues(
  errors: readonly YAMLError[],
  text: string,
  lineCounter: LineCounter,
  file: string,
): ConfigIssue[] {
  const multiline = new Set(
    errors.filter((error) => error.code === "MULTILINE_IMPLICIT_KEY").map((error) => error.pos[0]),
  );
  const startedOn = new Set<number>();
  const issues: ConfigIssue[] = [];
  for (const error of errors) {
    if (error.code === "BLOCK_AS_IMPLICIT_KEY" && multiline.has(error.pos[0])) continue;
    const line = lineCounter.linePos(error.pos[0]).line;
    if (startedOn.has(line)) continue;
    startedOn.add(line);
    issues.push(syntaxIssue(error, text, lineCounter, file));
  }
  return issues;
}
