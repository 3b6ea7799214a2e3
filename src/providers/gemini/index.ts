/**
 * The Google Gemini (`generateContent`) wire format: pure mappers from OpenAI chat requests to
 * Gemini request bodies and paths, and from Gemini responses, streams and errors back to OpenAI.
 * No I/O: https images are listed by `imageUrlsToFetch` for the caller to download, time and ids are
 * parameters. Tool-call ids minted here carry Gemini's call id and `thoughtSignature` (see
 * `tool-call-id.ts` for the format).
 */
export { imageUrlsToFetch, type InlineFile, type ImageMap } from "./images.js";
export { toGeminiRequest, droppedOpenAIFields } from "./request.js";
export { geminiPath } from "./path.js";
export { fromGeminiResponse, type GeminiMapOptions } from "./response.js";
export { createGeminiStreamMapper } from "./stream.js";
export { readGeminiError, type GeminiErrorFields } from "./error.js";
export { geminiFinishReason, type GeminiMappedFinishReason } from "./finish-reason.js";
export { geminiUsage } from "./usage.js";
