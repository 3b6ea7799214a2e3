import { InvalidRequestError } from "../../errors/index.js";
import type { ChatRequest } from "../../types/index.js";
import { toGeminiConversation } from "./contents.js";
import { toGenerationConfig } from "./generation-config.js";
import type { ImageMap } from "./images.js";
import { toGeminiTools } from "./tools.js";

/**
 * OpenAI request fields Gemini has no equivalent for; `toGeminiRequest` drops them silently.
 * (`model` and `stream` are not dropped so much as carried by the path: see `geminiPath`.)
 */
export const droppedOpenAIFields = [
  "stream_options",
  "parallel_tool_calls",
  "logit_bias",
  "user",
  "safety_identifier",
  "metadata",
  "store",
  "service_tier",
  "reasoning_effort",
  "modalities",
  "audio",
  "prediction",
  "web_search_options",
  "prompt_cache_key",
  "verbosity",
  "functions",
  "function_call",
] as const;

const noImages: ImageMap = new Map();

/**
 * OpenAI chat request → the body of a Gemini `generateContent` / `streamGenerateContent` call
 * (`GenerateContentRequest`): `contents`, `systemInstruction`, `tools`, `toolConfig` and
 * `generationConfig`, each present only when it has something in it. `images` holds the https
 * images listed by `imageUrlsToFetch`, downloaded (url → `{mimeType, data}` in base64); a missing
 * one is an `InvalidRequestError`, as is anything Gemini cannot express (see the mappers). Fields in
 * `droppedOpenAIFields` and unknown fields are dropped.
 */
export function toGeminiRequest(request: ChatRequest, images: ImageMap = noImages): Record<string, unknown> {
  const messages: unknown = request.messages;
  if (!Array.isArray(messages))
    throw new InvalidRequestError("messages must be an array.", { param: "messages" });
  const { system, contents } = toGeminiConversation(messages, images);
  if (contents.length === 0) {
    throw new InvalidRequestError("Gemini needs at least one user or assistant message.", {
      param: "messages",
    });
  }
  const body: Record<string, unknown> = { contents };
  if (system.length > 0) body["systemInstruction"] = { parts: system };
  const { tools, toolConfig } = toGeminiTools(request);
  if (tools !== undefined) body["tools"] = tools;
  if (toolConfig !== undefined) body["toolConfig"] = toolConfig;
  const generationConfig = toGenerationConfig(request);
  if (generationConfig !== null) body["generationConfig"] = generationConfig;
  return body;
}
