export { readOpenAIError, type OpenAIErrorFields } from "./error.js";
export { mapOpenAIStream, mapOpenAIStreamData, openAIStreamBatch } from "./stream.js";
export { scanOpenAIStreamData } from "./stream-scan.js";
export { scanUsage, framedAsObject } from "./response-scan.js";
export { fitToolCallIds, maxToolCallIdLength } from "./tool-call-ids.js";
export { openAIRequestBody, topLevelStringRange } from "./request-body.js";
export * from "./responses/index.js";
