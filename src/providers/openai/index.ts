export { readOpenAIError, type OpenAIErrorFields } from "./error.js";
export { mapOpenAIStream, mapOpenAIStreamData } from "./stream.js";
export { fitToolCallIds, maxToolCallIdLength } from "./tool-call-ids.js";
