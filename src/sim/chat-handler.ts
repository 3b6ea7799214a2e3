import { buildAnswer, filteredAnswer } from "./answer.js";
import { authorize } from "./auth.js";
import { completionBody, sendCompletion } from "./chat-completion.js";
import { isInvalid, readChatRequest } from "./chat-request.js";
import { sendStream, shapeStream, streamEvents, type StreamMeta } from "./chat-stream.js";
import type { SimContext } from "./context.js";
import { applyEarlyFault } from "./early-faults.js";
import { sendJson, type Exchange } from "./exchange.js";
import { isEarlyFault } from "./faults.js";
import { admitExchange } from "./admit.js";
import { openAiLimitHeaders } from "./limit-headers.js";
import { openAiErrorType, openAiLimitMessage } from "./limit-messages.js";
import { endsWithAssistant } from "./prefill.js";
import { errorBody } from "./openai-errors.js";

/**
 * `POST /v1/chat/completions`: early faults (`status`/`reset`/`hang`), then authentication, validation
 * (400), context window (400 `context_length_exceeded`), rate limits (429), and the answer, possibly
 * shaped by a stream fault, or cut short with `content_filter` by a `safety` fault. The tokens counted
 * against `tpm` are the prompt tokens plus `max_completion_tokens`/`max_tokens`, or plus `chunks` when
 * neither is set.
 */
export function handleChat(context: SimContext, exchange: Exchange): void {
  const { record } = exchange;
  const fault = context.faults.find(
    "chat",
    record.key,
    record.model,
    endsWithAssistant("openai", record.body),
  );
  if (fault !== undefined && isEarlyFault(fault)) {
    context.faults.consume(fault);
    applyEarlyFault(exchange, fault);
    return;
  }
  if (!authorize(context, exchange)) return;
  const request = readChatRequest(record.body);
  if (isInvalid(request)) {
    sendJson(exchange, 400, errorBody(request.message, "invalid_request_error", null, request.param));
    return;
  }
  const contextWindow = context.models.get(request.model)?.contextWindow;
  if (contextWindow !== undefined && request.promptTokens > contextWindow) {
    const message = `This model's maximum context length is ${contextWindow} tokens. However, your messages resulted in ${request.promptTokens} tokens. Please reduce the length of the messages.`;
    sendJson(
      exchange,
      400,
      errorBody(message, "invalid_request_error", "context_length_exceeded", "messages"),
    );
    return;
  }
  const output = request.maxTokens ?? context.chunks;
  const admission = admitExchange(context, exchange, request.model, request.promptTokens, output);
  if (!admission.admitted) {
    const type = openAiErrorType(admission.dimension);
    const body = errorBody(openAiLimitMessage(admission), type, "rate_limit_exceeded");
    sendJson(exchange, 429, body, openAiLimitHeaders(admission.state, admission.retryMs));
    return;
  }
  const headers = openAiLimitHeaders(admission.state);
  if (fault !== undefined) context.faults.consume(fault);
  const answer =
    fault?.kind === "safety"
      ? filteredAnswer(
          request.model,
          request.promptTokens,
          record.key,
          context.chunks,
          fault.afterChunks ?? 2,
        )
      : buildAnswer(request, record.key, context.chunks, exchange.sequence, context.text);
  const meta: StreamMeta = {
    id: `chatcmpl-sim-${exchange.sequence}`,
    created: Math.floor(context.clock() / 1000),
    model: request.model,
    includeUsage: request.includeUsage,
  };
  if (request.stream) {
    const shaped = shapeStream(streamEvents(answer, meta), answer.pieces.length, fault);
    sendStream(exchange, headers, shaped.events, shaped.ending, context.chunkDelayMs);
  } else {
    sendCompletion(exchange, completionBody(answer, meta), headers, fault);
  }
}
