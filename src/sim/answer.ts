import type { ChatRequest } from "./chat-request.js";
import { continuePieces } from "./prefill.js";

/** Token usage of an answer, in OpenAI's shape. */
export interface SimUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

/** A simulated answer, shared by the non-stream body and the stream events. */
export interface Answer {
  /** Content pieces (text answers) or tool-call argument fragments (tool answers), as streamed. */
  pieces: string[];
  /** The joined pieces for text answers; null for tool calls. */
  content: string | null;
  toolCall: { id: string; name: string; arguments: string } | undefined;
  /** OpenAI's finish reason; `content_filter` only for `safety` faults ({@link filteredAnswer}). */
  finishReason: "stop" | "length" | "tool_calls" | "content_filter";
  usage: SimUsage;
}

/**
 * The deterministic answer text of `chunks` pieces, e.g. for model `m`, key `sk-abcd` and 5 chunks:
 * `"Hello from m via key abcd."` from the pieces `"Hello from m"`, `" via"`, `" key"`, `" abcd"`, `"."`;
 * pieces after the fifth are `" Part 6."`, `" Part 7."`, …. The key shows its last 4 characters
 * (`anonymous` without a key).
 */
export function answerPieces(model: string, key: string | null, chunks: number): string[] {
  const pieces = [
    `Hello from ${model}`,
    " via",
    " key",
    ` ${key === null ? "anonymous" : key.slice(-4)}`,
    ".",
  ];
  for (let index = pieces.length; index < chunks; index += 1) pieces.push(` Part ${index + 1}.`);
  return pieces.slice(0, Math.max(1, chunks));
}

/**
 * Builds the answer to a chat request.
 *
 * - text: {@link answerPieces};
 * - JSON (`response_format` json_object/json_schema): `{"answer":"<text>"}` (or, for a json_schema with
 *   properties, an object filling them, strings with the text), split into `chunks` nearly equal pieces;
 * - tool call (see `ChatRequest.tool`): id `call_sim_<n>`, arguments filled from the tool's JSON schema
 *   (required properties, else all; strings are `"Paris"`, numbers 1, booleans true, enums their first
 *   value; type names are case-insensitive), e.g. `{"city":"Paris"}`, split into `chunks` argument fragments.
 *
 * `text` (the simulator's `answer` option, as pieces) replaces {@link answerPieces} for text answers. A
 * text answer to a request ending with an assistant turn that is a prefix of it (a prefill) is the rest
 * of it. `max_completion_tokens`/`max_tokens` below the piece count keep only that many pieces and
 * finish with `length`. Completion tokens are the number of pieces sent.
 */
export function buildAnswer(
  request: ChatRequest,
  key: string | null,
  chunks: number,
  sequence: number,
  text: readonly string[] | null = null,
): Answer {
  let all: string[];
  let toolCall: Answer["toolCall"];
  if (request.tool !== undefined) {
    const args = JSON.stringify(sampleObject(request.tool.parameters, "Paris") ?? {});
    toolCall = { id: `call_sim_${sequence}`, name: request.tool.name, arguments: args };
    all = splitEven(args, chunks);
  } else if (request.json !== undefined) {
    const text = answerPieces(request.model, key, chunks).join("");
    const value = sampleObject(request.json.schema, text) ?? { answer: text };
    all = splitEven(JSON.stringify(value), chunks);
  } else {
    all = continuePieces(text ?? answerPieces(request.model, key, chunks), request.prefill);
  }
  const capped = request.maxTokens !== undefined && request.maxTokens < all.length;
  const pieces = capped ? all.slice(0, request.maxTokens) : all;
  if (toolCall !== undefined && capped) toolCall.arguments = pieces.join("");
  const completion = pieces.length;
  return {
    pieces,
    content: toolCall === undefined ? pieces.join("") : null,
    toolCall,
    finishReason: capped ? "length" : toolCall !== undefined ? "tool_calls" : "stop",
    usage: {
      prompt_tokens: request.promptTokens,
      completion_tokens: completion,
      total_tokens: request.promptTokens + completion,
    },
  };
}

/**
 * The text answer cut short by a content filter (a `safety` fault): the first `keep` (at most all, at least
 * 0) pieces of {@link answerPieces}, finishing with `content_filter`; tools and JSON formats are ignored.
 */
export function filteredAnswer(
  model: string,
  promptTokens: number,
  key: string | null,
  chunks: number,
  keep: number,
): Answer {
  const pieces = answerPieces(model, key, chunks).slice(0, Math.max(0, Math.floor(keep)));
  return {
    pieces,
    content: pieces.join(""),
    toolCall: undefined,
    finishReason: "content_filter",
    usage: {
      prompt_tokens: promptTokens,
      completion_tokens: pieces.length,
      total_tokens: promptTokens + pieces.length,
    },
  };
}

/** Splits `text` into `count` (at most its length, at least 1) nearly equal pieces. */
export function splitEven(text: string, count: number): string[] {
  const parts = Math.max(1, Math.min(count, text.length));
  const pieces: string[] = [];
  for (let index = 0; index < parts; index += 1) {
    pieces.push(
      text.slice(Math.floor((index * text.length) / parts), Math.floor(((index + 1) * text.length) / parts)),
    );
  }
  return pieces;
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** An object satisfying a JSON schema's properties (required ones, else all); undefined without properties. */
function sampleObject(schema: unknown, text: string, depth = 0): Json | undefined {
  if (!isObject(schema) || !isObject(schema["properties"])) return undefined;
  const properties = schema["properties"];
  const required = Array.isArray(schema["required"])
    ? schema["required"].filter((name): name is string => typeof name === "string")
    : [];
  const names = required.length > 0 ? required : Object.keys(properties);
  const result: Json = {};
  for (const name of names) result[name] = sampleValue(properties[name], text, depth + 1);
  return result;
}

function sampleValue(schema: unknown, text: string, depth: number): unknown {
  if (!isObject(schema)) return text;
  const choices = schema["enum"];
  if (Array.isArray(choices) && choices.length > 0) return choices[0];
  if ("const" in schema) return schema["const"];
  const declared = schema["type"];
  const found: unknown = Array.isArray(declared)
    ? declared.find((entry) => String(entry).toLowerCase() !== "null")
    : declared;
  // Lower-cased so Gemini's OpenAPI `Schema` types (`STRING`, `OBJECT`, …) work too.
  const type = typeof found === "string" ? found.toLowerCase() : found;
  switch (type) {
    case "number":
    case "integer":
      return 1;
    case "boolean":
      return true;
    case "array":
      return [];
    case "object":
      return (depth < 8 ? sampleObject(schema, text, depth) : undefined) ?? {};
    case "null":
      return null;
    default:
      return text;
  }
}
