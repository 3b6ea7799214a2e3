import { buildAnswer, filteredAnswer, type Answer } from "./answer.js";
import { isInvalid, type ChatRequest } from "./chat-request.js";
import type { SimContext } from "./context.js";
import { applyEarlyFault } from "./early-faults.js";
import { sendJson, type Exchange } from "./exchange.js";
import { isEarlyFault } from "./faults.js";
import { admitExchange } from "./admit.js";
import {
  defaultGeminiError,
  googleErrorBody,
  invalidArgument,
  quotaExceeded,
  type GoogleStatus,
} from "./gemini-errors.js";
import { readGenerateRequest } from "./gemini-request.js";
import { blockedBody, generateBody, generateEvents, type GenerateMeta } from "./gemini-response.js";
import { sendShapedJson } from "./shaped-json.js";
import { shapeEvents, writeEvents } from "./stream-shape.js";
import type { SimFault } from "./types.js";
import type { GeminiTarget } from "./wire.js";
import { endsWithAssistant, prefillRejectedMessage } from "./prefill.js";

const JSON_HEADERS = { "content-type": "application/json; charset=UTF-8" };

/** Sends a google.rpc.Status error (wrapped in an array with `geminiWrapErrorsInArray`). */
export function sendGeminiError(context: SimContext, exchange: Exchange, error: GoogleStatus): void {
  sendJson(exchange, error.code, googleErrorBody(error, context.geminiWrapErrorsInArray), JSON_HEADERS);
}

/**
 * With `requireKnownKeys`, refuses a missing key (403 `PERMISSION_DENIED`) or an unknown one (400
 * `INVALID_ARGUMENT` with an `ErrorInfo` `API_KEY_INVALID` detail, as Google answers); false then.
 */
export function authorizeGemini(context: SimContext, exchange: Exchange): boolean {
  const key = exchange.record.key;
  if (!context.requireKnownKeys || (key !== null && context.limiter.isKnown(key))) return true;
  if (key === null) {
    sendGeminiError(context, exchange, {
      code: 403,
      message:
        "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.",
      status: "PERMISSION_DENIED",
    });
    return false;
  }
  sendGeminiError(context, exchange, {
    ...invalidArgument("API key not valid. Please pass a valid API key."),
    details: [
      {
        "@type": "type.googleapis.com/google.rpc.ErrorInfo",
        reason: "API_KEY_INVALID",
        domain: "googleapis.com",
      },
    ],
  });
  return false;
}

/** Validation, context window and rate limits; the admitted request, or undefined once answered. */
function admit(
  context: SimContext,
  exchange: Exchange,
  target: GeminiTarget,
  stream: boolean,
): ChatRequest | undefined {
  if (stream && new URLSearchParams(exchange.query).get("alt") !== "sse") {
    const message = "The simulator only serves streamGenerateContent with alt=sse.";
    sendGeminiError(context, exchange, invalidArgument(message));
    return undefined;
  }
  const request = readGenerateRequest(exchange.record.body, target.model, stream);
  if (isInvalid(request)) {
    sendGeminiError(context, exchange, invalidArgument(request.message));
    return undefined;
  }
  const contextWindow = context.models.get(target.model)?.contextWindow;
  if (contextWindow !== undefined && request.promptTokens > contextWindow) {
    const message = `The input token count (${request.promptTokens}) exceeds the maximum number of tokens allowed (${contextWindow}).`;
    sendGeminiError(context, exchange, invalidArgument(message));
    return undefined;
  }
  const output = request.maxTokens ?? context.chunks;
  const admission = admitExchange(context, exchange, target.model, request.promptTokens, output);
  if (!admission.admitted) {
    const { dimension, limit, retryMs } = admission;
    const quota = { model: target.model, dimension, value: limit, retryMs };
    sendGeminiError(context, exchange, quotaExceeded(quota));
    return undefined;
  }
  return request;
}

function answerOf(context: SimContext, exchange: Exchange, request: ChatRequest, fault?: SimFault): Answer {
  const key = exchange.record.key;
  if (fault?.kind === "safety") {
    return filteredAnswer(request.model, request.promptTokens, key, context.chunks, fault.afterChunks ?? 2);
  }
  // A function call is never cut short by maxOutputTokens: its args must stay a whole object.
  const uncapped = request.tool === undefined ? request : { ...request, maxTokens: undefined };
  return buildAnswer(uncapped, key, context.chunks, exchange.sequence, context.text);
}

/**
 * `POST /v1beta/models/{model}:generateContent` and `:streamGenerateContent?alt=sse` (key from
 * `x-goog-api-key` or `?key=`): early faults (`status`/`reset`/`hang`, default google.rpc.Status bodies),
 * authentication, validation (400 `INVALID_ARGUMENT`, also for a stream without `alt=sse`), context window,
 * rate limits (429 `RESOURCE_EXHAUSTED` with `QuotaFailure`/`Help`/`RetryInfo`, no rate-limit headers),
 * then the answer of `buildAnswer` as a GenerateContentResponse or `data:` events, possibly shaped by a
 * fault (`blocked`: a 200 prompt-feedback answer without candidates). `maxOutputTokens` (or `chunks`)
 * counts against `tpm` with the prompt.
 */
export function handleGenerateContent(context: SimContext, exchange: Exchange, target: GeminiTarget): void {
  const { record } = exchange;
  const stream = target.method === "streamGenerateContent";
  const prefill = endsWithAssistant("gemini", record.body);
  const fault = context.faults.find("gemini", record.key, target.model, prefill);
  if (fault !== undefined && isEarlyFault(fault)) {
    context.faults.consume(fault);
    const wrap = context.geminiWrapErrorsInArray;
    const defaultBody = (code: number): string =>
      googleErrorBody(defaultGeminiError(code, target.model), wrap);
    const rejected = (): string => googleErrorBody(invalidArgument(prefillRejectedMessage), wrap);
    applyEarlyFault(
      exchange,
      { ...fault, headers: { ...JSON_HEADERS, ...fault.headers } },
      defaultBody,
      rejected,
    );
    return;
  }
  if (!authorizeGemini(context, exchange)) return;
  const request = admit(context, exchange, target, stream);
  if (request === undefined) return;
  if (fault !== undefined) context.faults.consume(fault);
  const meta: GenerateMeta = {
    model: target.model,
    responseId: `resp_sim_${exchange.sequence}`,
    thoughtSignature: Buffer.from(`sig-sim-${exchange.sequence}`).toString("base64"),
  };
  const streamHeaders = { "content-type": "text/event-stream", "cache-control": "no-cache" };
  if (fault?.kind === "blocked") {
    const body = blockedBody(request.promptTokens, meta);
    if (stream) writeEvents(exchange, streamHeaders, [`data: ${body}\r\n\r\n`], "end", 0);
    else sendJson(exchange, 200, body, JSON_HEADERS);
    return;
  }
  const answer = answerOf(context, exchange, request, fault);
  if (stream) {
    // A stream that is cut, stalled or errored never reaches its finishReason.
    const final = fault?.kind !== "cut" && fault?.kind !== "stall" && fault?.kind !== "stream-error";
    const { events, layout } = generateEvents(answer, meta, final);
    const shaped = shapeEvents(events, layout, fault);
    writeEvents(exchange, streamHeaders, shaped.events, shaped.ending, context.chunkDelayMs);
    return;
  }
  const failure = {
    status: 503,
    body: googleErrorBody(defaultGeminiError(503, target.model), context.geminiWrapErrorsInArray),
    headers: JSON_HEADERS,
  };
  sendShapedJson(exchange, generateBody(answer, meta), JSON_HEADERS, fault, failure);
}
