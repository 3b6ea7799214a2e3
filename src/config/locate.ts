import { isAlias, isMap, isScalar, isSeq, type Document, type LineCounter, type Node } from "yaml";
import type { PathSegment } from "./errors.js";

/** A 1-based place in the file. */
export interface Position {
  line: number;
  column: number;
}

function startOf(node: unknown): number | null {
  if (node === null || typeof node !== "object" || !("range" in node)) return null;
  const range = (node as { range?: [number, number, number] | null }).range;
  return range ? range[0] : null;
}

/** A `key:` with nothing after it parses as an empty null scalar positioned after the key's line. */
function isEmptyScalar(node: unknown): boolean {
  return isScalar(node) && node.value === null && (node.source === "" || node.source === undefined);
}

function childOf(
  document: Document,
  node: unknown,
  segment: PathSegment,
): { key: number | null; value: unknown } | null {
  const container = isAlias(node) ? node.resolve(document) : node;
  if (isMap(container)) {
    for (const pair of container.items) {
      const key = isScalar(pair.key) ? pair.key.value : pair.key;
      if (key !== null && String(key) === String(segment)) {
        return { key: startOf(pair.key), value: pair.value };
      }
    }
    return null;
  }
  if (isSeq(container) && typeof segment === "number") {
    const item: unknown = container.items[segment];
    return item === undefined ? null : { key: null, value: item };
  }
  return null;
}

/**
 * Finds where a field path sits in a parsed document: the value's start (or the key's with
 * `at: "key"`, or when the value is empty). A path that does not exist (a missing field) points at
 * its deepest existing ancestor, so "is required" lands on the map that lacks the field; a missing
 * top-level section has no place (null).
 */
export function locate(
  document: Document,
  lineCounter: LineCounter,
  path: readonly PathSegment[],
  at?: "key",
): Position | null {
  let node: unknown = document.contents as Node | null;
  let offset = startOf(node);
  for (const [index, segment] of path.entries()) {
    const child = childOf(document, node, segment);
    if (!child && index === 0) return null;
    if (!child) break;
    const last = index === path.length - 1;
    const valueStart = isEmptyScalar(child.value) ? null : startOf(child.value);
    offset = (last && at === "key" ? child.key : (valueStart ?? child.key)) ?? offset;
    node = child.value;
  }
  if (offset === null) return null;
  const { line, col } = lineCounter.linePos(offset);
  return { line, column: col };
}
