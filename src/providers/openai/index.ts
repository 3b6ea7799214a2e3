export { readOpenAIError, type OpenAIErrorFields } from "./error.js";
export { mapOpenAIStream, mapOpenAIStreamData } from "./stream.js";
