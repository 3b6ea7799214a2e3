import { handleCountTokens, handleMessages, sendAnthropicError } from "./anthropic-handler.js";
import { handleChat } from "./chat-handler.js";
import type { SimContext } from "./context.js";
import { handleEmbeddings } from "./embeddings.js";
import { isOpen, sendJson, type Exchange } from "./exchange.js";
import { invalidArgument } from "./gemini-errors.js";
import { handleGenerateContent, sendGeminiError } from "./gemini-handler.js";
import { handleGeminiModels } from "./gemini-models.js";
import { handleModels } from "./models.js";
import { errorBody } from "./openai-errors.js";
import { geminiTarget } from "./wire.js";

const MALFORMED_JSON = errorBody(
  "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)",
  "invalid_request_error",
);

/** What the router needs besides the exchange. */
export interface RouteInput {
  readonly context: SimContext;
  readonly modelsBody: string;
  readonly modelIds: readonly string[];
}

/**
 * Dispatches a request whose body was read, by its wire (see `wireOf`): OpenAI `POST /v1/chat/completions`,
 * `POST /v1/embeddings`, `GET /v1/models[/<id>]`; Anthropic and Gemini routes (see {@link routeAnthropic},
 * {@link routeGemini}). Anything else is 404 `Invalid URL`; a malformed JSON body on a POST route is 400.
 */
export function route(input: RouteInput, exchange: Exchange, malformedJson: boolean): void {
  if (!isOpen(exchange)) return;
  const { method, path, wire } = exchange.record;
  if (wire === "anthropic") return routeAnthropic(input, exchange, malformedJson);
  if (wire === "gemini") return routeGemini(input, exchange, malformedJson);
  if (method === "POST" && (path === "/v1/chat/completions" || path === "/v1/embeddings")) {
    if (malformedJson) {
      sendJson(exchange, 400, MALFORMED_JSON);
    } else if (path === "/v1/chat/completions") {
      handleChat(input.context, exchange);
    } else {
      handleEmbeddings(input.context, exchange);
    }
    return;
  }
  if (method === "GET" && (path === "/v1/models" || path.startsWith("/v1/models/"))) {
    handleModels(input.context, exchange, input.modelsBody, input.modelIds);
    return;
  }
  sendJson(exchange, 404, errorBody(`Invalid URL (${method} ${path})`, "invalid_request_error"));
}

/**
 * Anthropic: `POST /v1/messages` and `POST /v1/messages/count_tokens` (any query, e.g. `?beta=true`); a
 * malformed JSON body is 400 `invalid_request_error`, other routes 404 `not_found_error`.
 */
function routeAnthropic(input: RouteInput, exchange: Exchange, malformedJson: boolean): void {
  const { method, path } = exchange.record;
  const known = path === "/v1/messages" || path === "/v1/messages/count_tokens";
  if (method !== "POST" || !known) {
    sendAnthropicError(exchange, 404, "not_found_error", `Not found: ${method} ${path}`);
  } else if (malformedJson) {
    sendAnthropicError(
      exchange,
      400,
      "invalid_request_error",
      "There was an error parsing the body of your request.",
    );
  } else if (path === "/v1/messages") {
    handleMessages(input.context, exchange);
  } else {
    handleCountTokens(input.context, exchange);
  }
}

/**
 * Gemini: `POST /v1beta/models/{model}:generateContent` and `:streamGenerateContent`, `GET /v1beta/models`
 * and `GET /v1beta/models/{model}`; a malformed JSON body is 400 `INVALID_ARGUMENT`, other routes 404
 * `NOT_FOUND`.
 */
function routeGemini(input: RouteInput, exchange: Exchange, malformedJson: boolean): void {
  const { context } = input;
  const { method, path } = exchange.record;
  if (method === "GET" && path === "/v1beta/models") {
    handleGeminiModels(context, exchange, input.modelIds, undefined);
    return;
  }
  const target = geminiTarget(path);
  if (method === "GET" && target !== undefined && target.method === "") {
    handleGeminiModels(context, exchange, input.modelIds, target.model);
    return;
  }
  const generate = target?.method === "generateContent" || target?.method === "streamGenerateContent";
  if (method !== "POST" || target === undefined || !generate) {
    const message = `The requested URL ${path} was not found on this server (simulated).`;
    sendGeminiError(context, exchange, { code: 404, message, status: "NOT_FOUND" });
  } else if (malformedJson) {
    sendGeminiError(context, exchange, invalidArgument("Invalid JSON payload received. Unexpected token."));
  } else {
    handleGenerateContent(context, exchange, target);
  }
}
