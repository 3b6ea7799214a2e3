import type { SimContext } from "./context.js";
import { sendJson, type Exchange } from "./exchange.js";
import { authorizeGemini, sendGeminiError } from "./gemini-handler.js";

/** `inputTokenLimit` of models without a `contextWindow`. */
const DEFAULT_INPUT_TOKEN_LIMIT = 1_048_576;
const OUTPUT_TOKEN_LIMIT = 65_536;

function geminiModel(context: SimContext, id: string): object {
  return {
    name: `models/${id}`,
    baseModelId: id,
    version: "001",
    displayName: id,
    inputTokenLimit: context.models.get(id)?.contextWindow ?? DEFAULT_INPUT_TOKEN_LIMIT,
    outputTokenLimit: OUTPUT_TOKEN_LIMIT,
    supportedGenerationMethods: ["generateContent", "streamGenerateContent"],
  };
}

/**
 * `GET /v1beta/models` → `{models:[{name:"models/<id>", baseModelId, version:"001", displayName,
 * inputTokenLimit (the model's `contextWindow`, default 1048576), outputTokenLimit: 65536,
 * supportedGenerationMethods}]}`, and `GET /v1beta/models/<id>` → one of them (404 `NOT_FOUND` if unlisted).
 */
export function handleGeminiModels(
  context: SimContext,
  exchange: Exchange,
  ids: readonly string[],
  id: string | undefined,
): void {
  if (!authorizeGemini(context, exchange)) return;
  const headers = { "content-type": "application/json; charset=UTF-8" };
  if (id === undefined) {
    const body = { models: ids.map((each) => geminiModel(context, each)) };
    sendJson(exchange, 200, JSON.stringify(body), headers);
    return;
  }
  if (ids.includes(id)) {
    sendJson(exchange, 200, JSON.stringify(geminiModel(context, id)), headers);
    return;
  }
  sendGeminiError(context, exchange, {
    code: 404,
    message: `models/${id} is not found for API version v1beta, or is not supported for generateContent. Call ListModels to see the list of available models and their supported methods.`,
    status: "NOT_FOUND",
  });
}
