import { InvalidRequestError } from "../errors/index.js";
import type { ChatRequest, EmbeddingsRequest } from "../types/index.js";
import { isRecord } from "../util/index.js";

function requireModel(body: Record<string, unknown>): string {
  const model = body["model"];
  if (typeof model !== "string" || model.trim() === "") {
    throw new InvalidRequestError("Missing required parameter: 'model' (a non-empty string).", {
      param: "model",
    });
  }
  return model;
}

/** Checks the parts of a chat request the gateway relies on; everything else passes through. */
export function validateChatRequest(body: unknown): ChatRequest {
  if (!isRecord(body)) throw new InvalidRequestError("The request body must be a JSON object.", {});
  requireModel(body);
  const messages = body["messages"];
  if (!Array.isArray(messages) || messages.length === 0) {
    throw new InvalidRequestError("Missing required parameter: 'messages' (a non-empty array).", {
      param: "messages",
    });
  }
  const stream = body["stream"];
  if (stream !== undefined && stream !== null && typeof stream !== "boolean") {
    throw new InvalidRequestError("'stream' must be a boolean.", { param: "stream" });
  }
  return body as ChatRequest;
}

/** Checks an embeddings request. */
export function validateEmbeddingsRequest(body: unknown): EmbeddingsRequest {
  if (!isRecord(body)) throw new InvalidRequestError("The request body must be a JSON object.", {});
  requireModel(body);
  const input = body["input"];
  if (input === undefined || input === null || (Array.isArray(input) && input.length === 0) || input === "") {
    throw new InvalidRequestError("Missing required parameter: 'input'.", { param: "input" });
  }
  return body as EmbeddingsRequest;
}
