import type { RequestSource } from "../../types/index.js";

const quote = 34;
const backslash = 92;
const colon = 58;

function isSpace(code: number): boolean {
  return code === 32 || code === 10 || code === 13 || code === 9;
}

/** Index of the quote that closes the string opening at `open`, or -1. */
function stringEnd(text: string, open: number): number {
  for (let at = text.indexOf('"', open + 1); at !== -1; at = text.indexOf('"', at + 1)) {
    let slashes = 0;
    for (let back = at - 1; text.charCodeAt(back) === backslash; back -= 1) slashes += 1;
    if (slashes % 2 === 0) return at;
  }
  return -1;
}

/**
 * Where the string value of the top-level `key` of the JSON object `text` starts and ends (the
 * value's quotes included), or null. Strings are skipped with `indexOf`, so the cost is one jump per
 * string rather than a parse; with duplicate keys the last one wins, as `JSON.parse` reads them.
 */
export function topLevelStringRange(text: string, key: string): [number, number] | null {
  let depth = 0;
  let found: [number, number] | null = null;
  let at = 0;
  for (;;) {
    const open = text.indexOf('"', at);
    if (open === -1) return found;
    for (let index = at; index < open; index += 1) {
      const code = text.charCodeAt(index);
      if (code === 123 || code === 91) depth += 1;
      else if (code === 125 || code === 93) depth -= 1;
    }
    const close = stringEnd(text, open);
    if (close === -1) return found;
    at = close + 1;
    if (depth !== 1 || close - open - 1 !== key.length || !text.startsWith(key, open + 1)) continue;
    let next = close + 1;
    while (isSpace(text.charCodeAt(next))) next += 1;
    if (text.charCodeAt(next) !== colon) continue;
    next += 1;
    while (isSpace(text.charCodeAt(next))) next += 1;
    if (text.charCodeAt(next) !== quote) return null;
    const valueEnd = stringEnd(text, next);
    if (valueEnd === -1) return null;
    found = [next, valueEnd + 1];
    at = valueEnd + 1;
  }
}

const includeUsage = '"stream_options":{"include_usage":true}';

/** True when `value` is exactly `{ include_usage: true }`. */
function onlyIncludeUsage(value: unknown): boolean {
  if (typeof value !== "object" || value === null) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && (value as { include_usage?: unknown }).include_usage === true;
}

/**
 * The upstream body of an OpenAI-compatible request. When the request is the caller's (`source`)
 * with only `model` changed and `stream_options: { include_usage: true }` added, those are spliced
 * into the caller's text, which is otherwise forwarded byte for byte: no re-serialising of prompts,
 * images or tools. Anything else that differs — or a caller of another dialect (Anthropic, Responses:
 * the request is a translation) — means JSON of the request.
 */
export function openAIRequestBody(request: object, source: RequestSource | undefined): string {
  if (source === undefined || (source.dialect !== undefined && source.dialect !== "openai"))
    return JSON.stringify(request);
  const original = source.body as Record<string, unknown>;
  const changed = request as Record<string, unknown>;
  let model: string | null = null;
  let addUsage = false;
  for (const key in changed) {
    const value = changed[key];
    if (value === original[key]) continue;
    if (key === "model" && typeof value === "string") model = value;
    else if (key === "stream_options" && !(key in original) && onlyIncludeUsage(value)) addUsage = true;
    else return JSON.stringify(request);
  }
  for (const key in original) if (!(key in changed)) return JSON.stringify(request);
  let text = source.text;
  if (model !== null) {
    const range = topLevelStringRange(text, "model");
    if (range === null) return JSON.stringify(request);
    text = `${text.slice(0, range[0])}${JSON.stringify(model)}${text.slice(range[1])}`;
  }
  if (addUsage) {
    const open = text.indexOf("{");
    if (open === -1) return JSON.stringify(request);
    let next = open + 1;
    while (isSpace(text.charCodeAt(next))) next += 1;
    const separator = text.charCodeAt(next) === 125 ? "" : ",";
    text = `${text.slice(0, open + 1)}${includeUsage}${separator}${text.slice(open + 1)}`;
  }
  return text;
}
