import type { ChatRequest } from "../../../types/index.js";

/**
 * Model names of reasoning models behind OpenAI-compatible APIs, which take `reasoning_effort`
 * (OpenAI's o-series, gpt-5, gpt-oss; DeepSeek's reasoner; Qwen's QwQ and Qwen3; xAI's grok-3-mini
 * and grok-4; Gemini 2.5+ through its OpenAI endpoint; Mistral's Magistral), after any vendor
 * prefix (`openai/o3` on OpenRouter).
 */
const reasoningModel =
  /^(o\d|gpt-5|gpt-oss|deepseek-r|deepseek-reasoner|qwq|qwen3|grok-3-mini|grok-4|gemini-2\.5|gemini-3|magistral)/i;

/** True when `model` names a reasoning model that takes `reasoning_effort`. */
export function takesReasoningEffort(model: string): boolean {
  return reasoningModel.test(model.slice(model.lastIndexOf("/") + 1));
}

/**
 * A chat request translated from another dialect (Anthropic `thinking`, Responses `reasoning`)
 * without `reasoning_effort` when the upstream model is not a reasoning model: OpenAI and most
 * vendors refuse the field for other models with a 400, and the caller did not ask for it in
 * OpenAI terms. Returns the request itself when there is nothing to drop. Pure.
 */
export function withoutUnsupportedReasoning(request: ChatRequest): ChatRequest {
  if (request["reasoning_effort"] === undefined || takesReasoningEffort(request.model)) return request;
  const { reasoning_effort: _dropped, ...rest } = request;
  return rest as ChatRequest;
}
