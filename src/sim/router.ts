import { handleChat } from "./chat-handler.js";
import type { SimContext } from "./context.js";
import { handleEmbeddings } from "./embeddings.js";
import { isOpen, sendJson, type Exchange } from "./exchange.js";
import { handleModels } from "./models.js";
import { errorBody } from "./openai-errors.js";

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
 * Dispatches a request whose body was read: `POST /v1/chat/completions`, `POST /v1/embeddings`,
 * `GET /v1/models[/<id>]`; anything else is 404 `Invalid URL`; a malformed JSON body on a POST route is 400.
 */
export function route(input: RouteInput, exchange: Exchange, malformedJson: boolean): void {
  if (!isOpen(exchange)) return;
  const { method, path } = exchange.record;
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
