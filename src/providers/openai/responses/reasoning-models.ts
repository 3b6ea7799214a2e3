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

/** Vendors that take OpenAI's request hints `user`, `prompt_cache_key` and `safety_identifier`. */
const hintVendors = new Set(["openai", "azure", "openrouter"]);

/** Hints a translated request carries that only some vendors accept (others refuse unknown fields). */
const hints = ["user", "prompt_cache_key", "safety_identifier"] as const;

/**
 * A chat request translated from another dialect, fitted to an OpenAI-compatible vendor (`label`
 * of its preset): `reasoning_effort` only for reasoning models ({@link withoutUnsupportedReasoning});
 * the hints `user` (Claude Code's `metadata.user_id`), `prompt_cache_key` and `safety_identifier`
 * (Codex) only to OpenAI, Azure and OpenRouter — Mistral and others refuse fields they do not know,
 * and the hints are never needed for an answer. Returns the request itself when nothing changes.
 */
export function fitTranslatedRequest(request: ChatRequest, vendor: string): ChatRequest {
  const fitted = withoutUnsupportedReasoning(request);
  if (hintVendors.has(vendor) || !hints.some((hint) => fitted[hint] !== undefined)) return fitted;
  const copy: ChatRequest = { ...fitted };
  for (const hint of hints) delete copy[hint];
  return copy;
}
