import { formatPath, type PathSegment } from "./errors.js";

/** `$${` (a literal `${`), or `${NAME}` / `${NAME:-default}`. */
const reference = /\$\$\{|\$\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*(?::-([^}]*))?\}/g;

/** A string after interpolation, and the variables it named that had no value. */
export interface InterpolatedString {
  value: string;
  /** Variables referenced without a default that are unset (or empty). */
  unset: string[];
}

/**
 * Replaces `${NAME}` and `${NAME:-default}` anywhere in `text` (so `Bearer ${TOKEN}` works). An unset
 * or empty variable takes its default, or becomes "" and is reported in `unset`. `$${` stays a
 * literal `${`. Other text, including a `${` that is not a reference, is kept as written.
 */
export function interpolateString(text: string, env: Record<string, string | undefined>): InterpolatedString {
  const unset: string[] = [];
  const value = text.replace(reference, (whole: string, name?: string, fallback?: string) => {
    if (whole === "$${") return "${";
    const found = env[name ?? ""];
    if (found !== undefined && found !== "") return found;
    if (fallback !== undefined) return fallback;
    if (name !== undefined && !unset.includes(name)) unset.push(name);
    return "";
  });
  return { value, unset };
}

/** A parsed config tree after interpolation. */
export interface InterpolatedTree {
  value: unknown;
  /** Field path (`providers[0].api_key`) → the unset variables its value named. */
  unset: Map<string, string[]>;
}

/**
 * Interpolates every string value of a parsed YAML tree (map keys are left alone). A map value that
 * becomes "" only because its variables are unset is removed, so it reads as "not given": optional
 * fields take their defaults and required ones report which variable is missing. List items keep
 * their place (so paths and line numbers stay right) and become "".
 */
export function interpolateTree(value: unknown, env: Record<string, string | undefined>): InterpolatedTree {
  const unset = new Map<string, string[]>();
  const visit = (node: unknown, path: PathSegment[]): unknown => {
    if (typeof node === "string") {
      const result = interpolateString(node, env);
      if (result.unset.length > 0) unset.set(formatPath(path), result.unset);
      return result.value;
    }
    if (Array.isArray(node)) return node.map((item, index) => visit(item, [...path, index]));
    if (node !== null && typeof node === "object") {
      const out: Record<string, unknown> = {};
      for (const [key, child] of Object.entries(node)) {
        const next = visit(child, [...path, key]);
        if (next === "" && typeof child === "string" && unset.has(formatPath([...path, key]))) continue;
        Object.defineProperty(out, key, {
          value: next,
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      return out;
    }
    return node;
  };
  return { value: visit(value, []), unset };
}

/** The note appended to a problem whose value named unset variables. */
export function unsetNote(names: readonly string[]): string {
  const list = names.join(", ");
  return names.length === 1
    ? `environment variable ${list} is not set`
    : `environment variables ${list} are not set`;
}
