import { InvalidRequestError } from "../../errors/index.js";
import type { ChatRequest } from "../../types/index.js";
import { systemField } from "./content.js";
import type { JsonObject } from "./fields.js";
import { defaultMaxTokens } from "./max-tokens.js";
import { toAnthropicMessages } from "./messages.js";
import { toAnthropicResponseFormat } from "./response-format.js";
import { toAnthropicTools } from "./tools.js";

/** A number field of the request, `null` when absent or null; anything else is rejected. */
function optionalNumber(request: ChatRequest, key: string): number | null {
  const value = request[key];
  if (value === undefined || value === null) return null;
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw new InvalidRequestError(`${key} must be a number.`, { param: key });
  }
  return value;
}

function clamp(value: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, value));
}

/** Features Anthropic cannot provide are refused rather than silently ignored. */
function rejectUnsupported(request: ChatRequest): void {
  const n = optionalNumber(request, "n");
  if (n !== null && n > 1) {
    throw new InvalidRequestError("n > 1 is not supported by Anthropic upstreams.", { param: "n" });
  }
  if (request["logprobs"] === true) {
    throw new InvalidRequestError("logprobs are not supported by Anthropic upstreams.", {
      param: "logprobs",
    });
  }
  const topLogprobs = optionalNumber(request, "top_logprobs");
  if (topLogprobs !== null && topLogprobs > 0) {
    throw new InvalidRequestError("top_logprobs is not supported by Anthropic upstreams.", {
      param: "top_logprobs",
    });
  }
}

/** `max_completion_tokens ?? max_tokens ?? defaultMaxTokens(model)`; a given value must be an integer ≥ 1. */
function maxTokens(request: ChatRequest, model: string): number {
  for (const key of ["max_completion_tokens", "max_tokens"]) {
    const value = optionalNumber(request, key);
    if (value === null) continue;
    if (!Number.isInteger(value) || value < 1) {
      throw new InvalidRequestError(`${key} must be a positive integer.`, { param: key });
    }
    return value;
  }
  return defaultMaxTokens(model);
}

/** `stop` (a string or strings) → `stop_sequences`; empty strings are dropped. */
function stopSequences(stop: unknown): string[] {
  if (stop === undefined || stop === null) return [];
  const list: unknown[] = Array.isArray(stop) ? stop : [stop];
  if (!list.every((item) => typeof item === "string")) {
    throw new InvalidRequestError("stop must be a string or an array of strings.", { param: "stop" });
  }
  return (list as string[]).filter((item) => item !== "");
}

/** Adds the sampling fields: temperature clamped to Anthropic's [0, 1], top_p, stop sequences. */
function addSampling(body: JsonObject, request: ChatRequest): void {
  const temperature = optionalNumber(request, "temperature");
  if (temperature !== null) body["temperature"] = clamp(temperature, 0, 1);
  const topP = optionalNumber(request, "top_p");
  if (topP !== null) body["top_p"] = clamp(topP, 0, 1);
  const stop = stopSequences(request["stop"]);
  if (stop.length > 0) body["stop_sequences"] = stop;
}

/** `safety_identifier` (or the deprecated `user`) → `metadata.user_id`. */
function userId(request: ChatRequest): string | null {
  for (const key of ["safety_identifier", "user"]) {
    const value = request[key];
    if (typeof value === "string" && value !== "") return value;
  }
  return null;
}

/**
 * OpenAI chat request → Anthropic Messages request body (`POST /v1/messages`); `model` is the
 * upstream model. Pure: the same request always gives the same body.
 *
 * - messages, system/developer prompts, tool calls and results: see {@link toAnthropicMessages};
 * - tools / tool_choice / parallel_tool_calls: see {@link toAnthropicTools};
 * - response_format: see {@link toAnthropicResponseFormat} (`json_object` adds a system instruction);
 * - `max_tokens` = `max_completion_tokens ?? max_tokens ?? defaultMaxTokens(model)`;
 * - `temperature` clamped to [0, 1], `top_p` (clamped to [0, 1]), `stop` → `stop_sequences`,
 *   `safety_identifier ?? user` → `metadata.user_id`, `stream: true` only when streaming;
 * - refused with InvalidRequestError (`param` set): `n > 1`, `logprobs: true`, `top_logprobs > 0`;
 * - dropped (no Anthropic counterpart): `logit_bias`, `seed`, `frequency_penalty`,
 *   `presence_penalty`, `stream_options` (Anthropic always streams usage), `service_tier`, `store`,
 *   OpenAI's `metadata`, `reasoning_effort`, `verbosity`, `modalities`, `audio`, `prediction`,
 *   `web_search_options`, `prompt_cache_key` and any other field not listed above.
 */
export function toAnthropicRequest(request: ChatRequest, model: string): Record<string, unknown> {
  rejectUnsupported(request);
  const converted = toAnthropicMessages(request.messages);
  const format = toAnthropicResponseFormat(request["response_format"]);
  const instruction = format.instruction === undefined ? [] : [{ type: "text", text: format.instruction }];
  const body: JsonObject = { model, max_tokens: maxTokens(request, model) };
  const system = systemField([...converted.system, ...instruction]);
  if (system !== undefined) body["system"] = system;
  body["messages"] = converted.messages;
  Object.assign(
    body,
    toAnthropicTools(request["tools"], request["tool_choice"], request["parallel_tool_calls"]),
  );
  addSampling(body, request);
  const user = userId(request);
  if (user !== null) body["metadata"] = { user_id: user };
  if (format.outputConfig !== undefined) body["output_config"] = format.outputConfig;
  if (request.stream === true) body["stream"] = true;
  return body;
}
