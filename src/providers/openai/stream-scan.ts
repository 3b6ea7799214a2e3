import type { StreamEvent, Usage } from "../../types/index.js";
import { mapOpenAIStreamData } from "./stream.js";

const quote = 34;
const openBrace = 123;
const closeBrace = 125;
const openBracket = 91;

function isSpace(code: number): boolean {
  return code === 32 || code === 9 || code === 10 || code === 13;
}

/** The keys the scanner looks for, quoted once (not per call). */
const keys = {
  content: '"content"',
  toolCalls: '"tool_calls"',
  refusal: '"refusal"',
  functionCall: '"function_call"',
  finishReason: '"finish_reason"',
  usage: '"usage"',
  choices: '"choices"',
} as const;

/** Index of the first character of the value of the quoted key (after the colon and spaces), or -1. */
function valueStart(data: string, quotedKey: string): number {
  const at = data.indexOf(quotedKey);
  if (at < 0) return -1;
  let index = at + quotedKey.length;
  while (index < data.length && isSpace(data.charCodeAt(index))) index += 1;
  if (data.charCodeAt(index) !== 58) return -1;
  index += 1;
  while (index < data.length && isSpace(data.charCodeAt(index))) index += 1;
  return index;
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
  if (data.includes('"error"')) return mapOpenAIStreamData(data);
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
