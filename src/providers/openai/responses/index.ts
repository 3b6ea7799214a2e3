/**
 * The OpenAI Responses API as an inbound dialect (Codex CLI, the AI SDK's default OpenAI
 * provider): pure mappers from `/v1/responses` requests to chat requests and from chat answers
 * and streams back to Responses objects and events. Errors use the OpenAI body (toOpenAIErrorBody).
 */
export { fromResponsesRequest, type ResponsesInbound, type ResponsesRequestOptions } from "./request.js";
export { toChatMessages as responsesInputToChatMessages, type MappedInput } from "./input-items.js";
export { toChatTools as responsesToolsToChat, customInputDescription, type ResponsesTools } from "./tools.js";
export { toResponseFormat } from "./text-format.js";
export { toResponsesResponse } from "./response.js";
export { responseObject, type ResponsesContext, type ResponseState } from "./response-object.js";
export { responseEnd, type ResponseEnd, type ItemStatus } from "./output-items.js";
export { toResponsesUsage, type ResponsesUsage } from "./usage.js";
export {
  createResponsesEventWriter,
  type ResponsesEventWriter,
  type ResponsesStreamError,
} from "./event-writer.js";
export { createWrappedInputDecoder, unwrapCustomInput, type WrappedInputDecoder } from "./custom-input.js";
export { responsesHistory } from "./history.js";
export { dropUnreplayableReasoning } from "./passthrough.js";
export {
  fitTranslatedRequest,
  takesReasoningEffort,
  withoutUnsupportedReasoning,
} from "./reasoning-models.js";
