/**
 * The Anthropic Messages wire format: pure mappers between OpenAI chat completions and Anthropic
 * `POST /v1/messages` (request, response, stream, finish reasons, usage, error bodies).
 */
export { toAnthropicRequest } from "./request.js";
export { toAnthropicMessages, toolUseId, type AnthropicMessage, type ConvertedMessages } from "./messages.js";
export { toAnthropicTools, type AnthropicTools } from "./tools.js";
export {
  toAnthropicResponseFormat,
  jsonObjectInstruction,
  type AnthropicResponseFormat,
} from "./response-format.js";
export { fromAnthropicMessage } from "./response.js";
export { createAnthropicStreamMapper } from "./stream.js";
export { readAnthropicError, type AnthropicErrorFields } from "./error.js";
export { anthropicFinishReason, type AnthropicMappedFinishReason } from "./finish-reason.js";
export { anthropicUsage } from "./usage.js";
export { defaultMaxTokens } from "./max-tokens.js";
export * from "./inbound/index.js";
