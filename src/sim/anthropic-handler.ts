import { buildAnswer, filteredAnswer, type Answer } from "./answer.js";
import { anthropicErrorBody, defaultAnthropicErrorBody } from "./anthropic-errors.js";
import { messageBody, messageEvents, type MessageMeta } from "./anthropic-message.js";
import { estimateMessagesTokens, readMessagesRequest } from "./anthropic-request.js";
import { isInvalid, type ChatRequest } from "./chat-request.js";
import type { SimContext } from "./context.js";
import { applyEarlyFault } from "./early-faults.js";
import { sendJson, type Exchange } from "./exchange.js";
import { isEarlyFault } from "./faults.js";
import { admitExchange } from "./admit.js";
import { anthropicLimitHeaders } from "./limit-headers.js";
import { anthropicLimitUnit } from "./limit-messages.js";
import { sendShapedJson } from "./shaped-json.js";
import { shapeEvents, writeEvents } from "./stream-shape.js";
import type { SimFault } from "./types.js";
import { endsWithAssistant, prefillRejectedMessage } from "./prefill.js";

/** `req_sim_<n>`: the `request-id` header and the `request_id` of error bodies. */
function requestId(exchange: Exchange): string {
  return `req_sim_${exchange.sequence}`;
}

/** Sends an Anthropic error with the `request-id` header. */
export function sendAnthropicError(
  exchange: Exchange,
  status: number,
  type: string,
  message: string,
  headers?: Readonly<Record<string, string>>,
): void {
  const id = requestId(exchange);
  sendJson(exchange, status, anthropicErrorBody(type, message, id), { "request-id": id, ...headers });
}

/** With `requireKnownKeys`, answers 401 `authentication_error` to a missing or unknown key; false then. */
export function authorizeAnthropic(context: SimContext, exchange: Exchange): boolean {
  const key = exchange.record.key;
  if (!context.requireKnownKeys || (key !== null && context.limiter.isKnown(key))) return true;
  const message = key === null ? "x-api-key header is required" : "invalid x-api-key";
  sendAnthropicError(exchange, 401, "authentication_error", message);
  return false;
}

/** Validation, context window and rate limits; the admitted request and its response headers, or undefined. */
function admit(
  context: SimContext,
  exchange: Exchange,
): { request: ChatRequest; headers: Record<string, string> } | undefined {
  const request = readMessagesRequest(exchange.record.body);
  if (isInvalid(request)) {
    sendAnthropicError(exchange, 400, "invalid_request_error", request.message);
    return undefined;
  }
  const contextWindow = context.models.get(request.model)?.contextWindow;
  if (contextWindow !== undefined && request.promptTokens > contextWindow) {
    const message = `prompt is too long: ${request.promptTokens} tokens > ${contextWindow} maximum`;
    sendAnthropicError(exchange, 400, "invalid_request_error", message);
    return undefined;
  }
  const admission = admitExchange(
    context,
    exchange,
    request.model,
    request.promptTokens,
    request.maxTokens ?? 0,
  );
  if (!admission.admitted) {
    const unit = anthropicLimitUnit(admission.dimension);
    const message = `This request would exceed your rate limit of ${admission.limit} ${unit} (simulated). For details, refer to: https://docs.anthropic.com/en/api/rate-limits. You can see the response headers for current usage. Please reduce the prompt length or the maximum tokens requested, or try again later.`;
    const headers = {
      "request-id": requestId(exchange),
      ...anthropicLimitHeaders(admission.state, admission.retryMs),
    };
    sendAnthropicError(exchange, 429, "rate_limit_error", message, headers);
    return undefined;
  }
  const headers = { "request-id": requestId(exchange), ...anthropicLimitHeaders(admission.state) };
  return { request, headers };
}

function answerOf(context: SimContext, exchange: Exchange, request: ChatRequest, fault?: SimFault): Answer {
  const key = exchange.record.key;
  if (fault?.kind === "safety") {
    return filteredAnswer(request.model, request.promptTokens, key, context.chunks, fault.afterChunks ?? 2);
  }
  return buildAnswer(request, key, context.chunks, exchange.sequence, context.text);
}

/**
 * `POST /v1/messages` (any `anthropic-version`, key from `x-api-key` or `Authorization: Bearer`): early
 * faults (`status`/`reset`/`hang`, default bodies in Anthropic's shape), authentication (401), validation
 * (400 `invalid_request_error`), context window (400 "prompt is too long: N tokens > M maximum"), rate
 * limits (429 `rate_limit_error` with `retry-after` seconds; `anthropic-ratelimit-*` headers on every
 * admitted or limited response of a key with limits), then the answer of `buildAnswer` as a Message or a
 * stream of named events, possibly shaped by a fault. `max_tokens` counts against `tpm` with the prompt.
 */
export function handleMessages(context: SimContext, exchange: Exchange): void {
  const { record } = exchange;
  const prefill = endsWithAssistant("anthropic", record.body);
  const fault = context.faults.find("anthropic", record.key, record.model, prefill);
  if (fault !== undefined && isEarlyFault(fault)) {
    context.faults.consume(fault);
    const id = requestId(exchange);
    const withId = { ...fault, headers: { "request-id": id, ...fault.headers } };
    applyEarlyFault(
      exchange,
      withId,
      (status) => defaultAnthropicErrorBody(status, id),
      () => anthropicErrorBody("invalid_request_error", prefillRejectedMessage, id),
    );
    return;
  }
  if (!authorizeAnthropic(context, exchange)) return;
  const admitted = admit(context, exchange);
  if (admitted === undefined) return;
  const { request, headers } = admitted;
  if (fault !== undefined) context.faults.consume(fault);
  const answer = answerOf(context, exchange, request, fault);
  const meta: MessageMeta = {
    id: `msg_sim_${exchange.sequence}`,
    toolUseId: `toolu_sim_${exchange.sequence}`,
    model: request.model,
  };
  if (request.stream) {
    const { events, layout } = messageEvents(answer, meta);
    const shaped = shapeEvents(events, layout, fault);
    const streamHeaders = {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache",
      ...headers,
    };
    writeEvents(exchange, streamHeaders, shaped.events, shaped.ending, context.chunkDelayMs);
    return;
  }
  const failure = { status: 529, body: defaultAnthropicErrorBody(529, requestId(exchange)) };
  sendShapedJson(exchange, messageBody(answer, meta), headers, fault, failure);
}

/** `POST /v1/messages/count_tokens`: authentication, `model` and `messages` required, then `{input_tokens}`. */
export function handleCountTokens(context: SimContext, exchange: Exchange): void {
  if (!authorizeAnthropic(context, exchange)) return;
  const body = exchange.record.body;
  const request = readMessagesRequest(
    typeof body === "object" && body !== null && !Array.isArray(body) ? { ...body, max_tokens: 1 } : body,
  );
  if (isInvalid(request)) {
    sendAnthropicError(exchange, 400, "invalid_request_error", request.message);
    return;
  }
  const { system, messages } = body as { system?: unknown; messages: unknown[] };
  const inputTokens = estimateMessagesTokens(system, messages);
  sendJson(exchange, 200, JSON.stringify({ input_tokens: inputTokens }), {
    "request-id": requestId(exchange),
  });
}
