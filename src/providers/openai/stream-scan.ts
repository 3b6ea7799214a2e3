import type { StreamEvent, Usage } from "../../types/index.js";
import { mapOpenAIStreamData } from "./stream.js";

const quote = 34;
const openBrace = 123;
const closeBrace = 125;
const openBracket = 91;

function isSpace(code: number): boolean {
  return code === 32 || code === 9 || code === 10 || code === 13;
}

/**
 * A key the scanner looks for. V8's `indexOf` finds a needle by its first character, and `"` is the
 * most frequent character of JSON: searching `"finish_reason"` costs about six times as much as
 * searching `_reason"`. So each key is found by a tail that starts with a rarer character, and the
 * rest of the quoted key is checked in front of it.
 */
interface Key {
  /** The key with its quotes, e.g. `"content"`. */
  readonly quoted: string;
  /** The end of `quoted` that is searched for (starts with an infrequent character). */
  readonly tail: string;
  /** Offset of `tail` inside `quoted`. */
  readonly offset: number;
}

function key(name: string, tail: string): Key {
  const quoted = `"${name}"`;
  return { quoted, tail, offset: quoted.length - tail.length };
}

/** The keys the scanner looks for, built once (not per call). */
const keys = {
  content: key("content", 'ntent"'),
  toolCalls: key("tool_calls", '_calls"'),
  refusal: key("refusal", 'refusal"'),
  functionCall: key("function_call", '_call"'),
  finishReason: key("finish_reason", '_reason"'),
  usage: key("usage", 'usage"'),
  choices: key("choices", 'oices"'),
  error: key("error", 'rror"'),
} as const;

/** Index of the first occurrence of the quoted key at or after `from` (key or string value), or -1. */
function occurrence(data: string, wanted: Key, from: number): number {
  let at = data.indexOf(wanted.tail, from + wanted.offset);
  while (at >= 0) {
    const start = at - wanted.offset;
    if (data.startsWith(wanted.quoted, start)) return start;
    at = data.indexOf(wanted.tail, at + 1);
  }
  return -1;
}

/**
 * Index of the first character of the value of the key (after the colon and spaces), or -1. In valid
 * JSON an unescaped `"name"` followed by a colon is a key; an occurrence that is a string value
 * (`"type":"content"`) is skipped and the search goes on.
 */
function valueStart(data: string, wanted: Key): number {
  let at = occurrence(data, wanted, 0);
  while (at >= 0) {
    let index = at + wanted.quoted.length;
    while (index < data.length && isSpace(data.charCodeAt(index))) index += 1;
    if (data.charCodeAt(index) === 58) {
      index += 1;
      while (index < data.length && isSpace(data.charCodeAt(index))) index += 1;
      return index;
    }
    at = occurrence(data, wanted, at + 1);
  }
  return -1;
}

/** A non-empty string value at `index`. */
function nonEmptyString(data: string, index: number): boolean {
  return index >= 0 && data.charCodeAt(index) === quote && data.charCodeAt(index + 1) !== quote;
}

function stringValue(data: string, index: number): string | null {
  if (index < 0 || data.charCodeAt(index) !== quote) return null;
  const end = data.indexOf('"', index + 1);
  return end < 0 ? null : data.slice(index + 1, end);
}

/** A non-empty array of objects at `index`. */
function nonEmptyList(data: string, index: number): boolean {
  if (index < 0 || data.charCodeAt(index) !== openBracket) return false;
  let next = index + 1;
  while (next < data.length && isSpace(data.charCodeAt(next))) next += 1;
  return data.charCodeAt(next) === openBrace;
}

/** Parses the JSON object starting at `index` (a usage object: numbers and nested objects). */
function objectAt(data: string, index: number): Usage | null {
  if (index < 0 || data.charCodeAt(index) !== openBrace) return null;
  let depth = 0;
  for (let end = index; end < data.length; end += 1) {
    const code = data.charCodeAt(end);
    if (code === openBrace) depth += 1;
    else if (code === closeBrace && --depth === 0) {
      try {
        return JSON.parse(data.slice(index, end + 1)) as Usage;
      } catch {
        return null;
      }
    }
  }
  return null;
}

/**
 * The pass-through reading of one `data:` payload of an OpenAI-compatible stream: the chunk is
 * forwarded as it came, so instead of parsing it this scans for the few facts the relay needs —
 * content present (the commit point), finish reason, usage (parsed alone), the `include_usage`
 * chunk. A payload that is not a JSON object is malformed; one that mentions `"error"` takes the
 * full parse (in-band errors are rare). Tolerates spaces around colons.
 */
export function scanOpenAIStreamData(data: string): StreamEvent {
  if (data === "[DONE]") return { type: "done" };
  const last = data.length - 1;
  if (last < 1 || data.charCodeAt(0) !== openBrace || data.charCodeAt(last) !== closeBrace)
    return { type: "malformed", data };
  if (occurrence(data, keys.error, 0) >= 0) return mapOpenAIStreamData(data);
  const content =
    nonEmptyString(data, valueStart(data, keys.content)) ||
    nonEmptyList(data, valueStart(data, keys.toolCalls)) ||
    nonEmptyString(data, valueStart(data, keys.refusal)) ||
    data.charCodeAt(valueStart(data, keys.functionCall)) === openBrace;
  const finishReason = stringValue(data, valueStart(data, keys.finishReason));
  const usage = objectAt(data, valueStart(data, keys.usage));
  // Only a chunk with usage can be the `include_usage` chunk (empty choices).
  let emptyChoices = false;
  if (usage !== null) {
    const choices = valueStart(data, keys.choices);
    if (choices >= 0 && data.charCodeAt(choices) === openBracket) {
      let next = choices + 1;
      while (next < data.length && isSpace(data.charCodeAt(next))) next += 1;
      emptyChoices = data.charCodeAt(next) === 93;
    }
  }
  return { type: "chunk", data, content, finishReason, usage, usageOnly: emptyChoices };
}
