/** Reads what the simulator needs from an Anthropic Messages request body. */
import { estimatePromptTokens, lastUserText, type ChatRequest, type InvalidRequest } from "./chat-request.js";
import { prefillOf } from "./prefill.js";

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Validates and reads a `POST /v1/messages` body (already parsed JSON): `model`, `messages` (non-empty) and
 * `max_tokens` (integer ≥ 1) are required, with Anthropic's messages (`max_tokens: Field required`, …).
 * Prompt tokens are estimated over `system` and `messages` like chat requests. `output_config.format`
 * `json_schema` asks for JSON.
 */
export function readMessagesRequest(body: unknown): ChatRequest | InvalidRequest {
  if (!isObject(body)) return { message: "The request body must be a JSON object.", param: null };
  const { model, messages } = body;
  const maxTokens = body["max_tokens"];
  if (model === undefined) return { message: "model: Field required", param: "model" };
  if (typeof model !== "string" || model === "") {
    return { message: "model: Input should be a valid string", param: "model" };
  }
  if (messages === undefined) return { message: "messages: Field required", param: "messages" };
  if (!Array.isArray(messages))
    return { message: "messages: Input should be a valid list", param: "messages" };
  if (messages.length === 0) {
    return { message: "messages: at least one message is required", param: "messages" };
  }
  if (maxTokens === undefined) return { message: "max_tokens: Field required", param: "max_tokens" };
  if (typeof maxTokens !== "number" || !Number.isInteger(maxTokens)) {
    return { message: "max_tokens: Input should be a valid integer", param: "max_tokens" };
  }
  if (maxTokens < 1) {
    return { message: "max_tokens: Input should be greater than or equal to 1", param: "max_tokens" };
  }
  const prefill = prefillOf(messages);
  if (prefill !== null && /\s$/.test(prefill)) {
    return { message: "messages: final assistant content cannot end with trailing whitespace", param: null };
  }
  return {
    model,
    stream: body["stream"] === true,
    includeUsage: false,
    promptTokens: estimateMessagesTokens(body["system"], messages),
    maxTokens,
    tool: chooseTool(body, messages),
    json: readJsonFormat(body["output_config"]),
    prefill,
  };
}

/** Estimated prompt tokens of `system` (string or text blocks) and `messages`, as {@link estimatePromptTokens}. */
export function estimateMessagesTokens(system: unknown, messages: readonly unknown[]): number {
  const hasSystem = typeof system === "string" ? system !== "" : Array.isArray(system) && system.length > 0;
  return estimatePromptTokens(hasSystem ? [{ content: system }, ...messages] : messages);
}

/**
 * The tool to use: the named tool of `tool_choice: {type:"tool", name}`, else the first tool when
 * `tool_choice.type` is `"any"` or the last user message contains "call a tool". Never with
 * `tool_choice: {type:"none"}` or without `tools`.
 */
function chooseTool(body: Json, messages: readonly unknown[]): ChatRequest["tool"] {
  const tools = body["tools"];
  if (!Array.isArray(tools)) return undefined;
  const named = tools.filter((tool): tool is Json => isObject(tool) && typeof tool["name"] === "string");
  const first = named[0];
  if (first === undefined) return undefined;
  const choice = isObject(body["tool_choice"]) ? body["tool_choice"] : {};
  if (choice["type"] === "none") return undefined;
  if (choice["type"] === "tool" && typeof choice["name"] === "string") {
    const name = choice["name"];
    return { name, parameters: named.find((tool) => tool["name"] === name)?.["input_schema"] };
  }
  if (choice["type"] === "any" || lastUserText(messages).toLowerCase().includes("call a tool")) {
    return { name: String(first["name"]), parameters: first["input_schema"] };
  }
  return undefined;
}

function readJsonFormat(config: unknown): ChatRequest["json"] {
  if (!isObject(config) || !isObject(config["format"])) return undefined;
  const format = config["format"];
  return format["type"] === "json_schema" ? { schema: format["schema"] } : undefined;
}
