/** Reads what the simulator needs from a chat completion request body. */
import { prefillOf } from "./prefill.js";

/** The parts of a chat request that shape the simulated answer. */
export interface ChatRequest {
  model: string;
  stream: boolean;
  includeUsage: boolean;
  /** Estimated prompt tokens, see {@link estimatePromptTokens}. */
  promptTokens: number;
  /** `max_completion_tokens`, else `max_tokens`. */
  maxTokens: number | undefined;
  /** The tool to call, when the answer is a tool call. */
  tool: { name: string; parameters: unknown } | undefined;
  /** `response_format` asks for JSON: `json_object`, or `json_schema` with its schema. */
  json: { schema: unknown } | undefined;
  /** The text of a trailing assistant turn (the answer to continue), or null. */
  prefill: string | null;
}

/** A request the simulator refuses with 400. */
export interface InvalidRequest {
  message: string;
  param: string | null;
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Validates and reads a chat request body (already parsed JSON). */
export function readChatRequest(body: unknown): ChatRequest | InvalidRequest {
  if (!isObject(body)) return { message: "The request body must be a JSON object.", param: null };
  const { model, messages } = body;
  if (typeof model !== "string" || model === "") {
    return { message: "you must provide a model parameter", param: "model" };
  }
  if (!Array.isArray(messages) || messages.length === 0) {
    return { message: "Missing required parameter: 'messages'.", param: "messages" };
  }
  const maxTokens = body["max_completion_tokens"] ?? body["max_tokens"];
  if (
    maxTokens !== undefined &&
    maxTokens !== null &&
    !(Number.isInteger(maxTokens) && Number(maxTokens) >= 1)
  ) {
    const param = body["max_completion_tokens"] !== undefined ? "max_completion_tokens" : "max_tokens";
    return { message: `Invalid '${param}': expected an integer of at least 1.`, param };
  }
  const streamOptions = body["stream_options"];
  return {
    model,
    stream: body["stream"] === true,
    includeUsage: isObject(streamOptions) && streamOptions["include_usage"] === true,
    promptTokens: estimatePromptTokens(messages),
    maxTokens: typeof maxTokens === "number" ? maxTokens : undefined,
    tool: chooseTool(body, messages),
    json: readJsonFormat(body["response_format"]),
    prefill: prefillOf(messages),
  };
}

/** Narrows the result of {@link readChatRequest}. */
export function isInvalid(request: ChatRequest | InvalidRequest): request is InvalidRequest {
  return "message" in request;
}

/**
 * Estimated prompt tokens: ceil(characters of all message text contents / 4) + 4 per message.
 * Text contents are string `content`s and the `text` of content parts.
 */
export function estimatePromptTokens(messages: readonly unknown[]): number {
  let characters = 0;
  for (const message of messages) {
    if (isObject(message)) characters += messageText(message).length;
  }
  return Math.ceil(characters / 4) + 4 * messages.length;
}

function messageText(message: Json): string {
  const content = message["content"];
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  let text = "";
  for (const part of content) {
    if (isObject(part) && typeof part["text"] === "string") text += part["text"];
  }
  return text;
}

/**
 * The tool to call: the named function of `tool_choice: {type:"function", function:{name}}`, else the
 * first function tool when `tool_choice` is `"required"` or the last user message contains "call a tool".
 * Never with `tool_choice: "none"` or without `tools`.
 */
function chooseTool(body: Json, messages: readonly unknown[]): ChatRequest["tool"] {
  const tools = body["tools"];
  if (!Array.isArray(tools) || tools.length === 0) return undefined;
  const functions = tools
    .map((tool) => (isObject(tool) && isObject(tool["function"]) ? tool["function"] : undefined))
    .filter((fn): fn is Json => fn !== undefined && typeof fn["name"] === "string");
  const choice = body["tool_choice"];
  if (isObject(choice) && isObject(choice["function"]) && typeof choice["function"]["name"] === "string") {
    const name = choice["function"]["name"];
    const named = functions.find((fn) => fn["name"] === name);
    return { name, parameters: named?.["parameters"] };
  }
  if (choice === "none") return undefined;
  const first = functions[0];
  if (first === undefined) return undefined;
  if (choice === "required" || lastUserText(messages).toLowerCase().includes("call a tool")) {
    return { name: String(first["name"]), parameters: first["parameters"] };
  }
  return undefined;
}

/** The text of the last `role: "user"` message (string content or the `text` of its parts). */
export function lastUserText(messages: readonly unknown[]): string {
  for (let index = messages.length - 1; index >= 0; index -= 1) {
    const message = messages[index];
    if (isObject(message) && message["role"] === "user") return messageText(message);
  }
  return "";
}

function readJsonFormat(format: unknown): ChatRequest["json"] {
  if (!isObject(format)) return undefined;
  if (format["type"] === "json_object") return { schema: undefined };
  if (format["type"] === "json_schema") {
    const spec = format["json_schema"];
    return { schema: isObject(spec) ? spec["schema"] : undefined };
  }
  return undefined;
}
