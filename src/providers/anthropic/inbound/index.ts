/**
 * The Anthropic Messages API as an inbound dialect (Claude Code, the Anthropic SDK): pure mappers
 * from `/v1/messages` requests to OpenAI chat requests and from chat answers and streams back to
 * Anthropic messages, events, errors, token counts and model lists.
 */
export { fromAnthropicRequest, fromAnthropicCountTokensRequest, toAnthropicCountTokens } from "./request.js";
export { droppedAnthropicTools } from "./tools.js";
export { effortOfBudget, type ReasoningEffort } from "./reasoning.js";
export { toAnthropicMessage, type AnthropicResponseMessage } from "./message.js";
export {
  toAnthropicStop,
  matchedStopSequence,
  type AnthropicStop,
  type AnthropicStopReason,
} from "./stop-reason.js";
export { toAnthropicUsage, anthropicCounts, type AnthropicCounts } from "./usage.js";
export { anthropicMessageId, anthropicToolUseId } from "./ids.js";
export {
  createAnthropicEventWriter,
  type AnthropicEventWriter,
  type AnthropicEventWriterOptions,
} from "./event-writer.js";
export {
  toAnthropicError,
  toAnthropicErrorBody,
  anthropicErrorType,
  type AnthropicErrorBody,
  type AnthropicErrorType,
} from "./errors.js";
export {
  toAnthropicModelList,
  type AnthropicModelInfo,
  type AnthropicModelList,
  type ListedModel,
  type ModelPage,
} from "./models.js";
export { dropUnsignedThinking } from "./thinking.js";
