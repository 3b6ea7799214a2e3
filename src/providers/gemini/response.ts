import { InvalidRequestError, LlmuxError } from "../../errors/index.js";
import type { ChatCompletionBody } from "../../types/index.js";
import { isRecord } from "../../util/index.js";
import {
  answerText,
  promptBlockedMessage,
  promptBlockReason,
  readCandidates,
  toolCallFromPart,
  type CandidateView,
  type OpenAIToolCall,
} from "./candidate.js";
import { geminiFinishReason } from "./finish-reason.js";
import { geminiLogprobs } from "./logprobs.js";
import { geminiUsage } from "./usage.js";

/** What a response mapper needs besides the body: the requested model, the time (ms) and an id source. */
export interface GeminiMapOptions {
  model: string;
  /** Milliseconds since the epoch; `created` is `floor(now / 1000)`. */
  now: number;
  /** A fresh unique token per call: used for the completion id (when Gemini sent no `responseId`) and tool-call ids. */
  newId: () => string;
}

function toChoice(candidate: CandidateView, newId: () => string): ChatCompletionBody["choices"][number] {
  const texts: string[] = [];
  const toolCalls: OpenAIToolCall[] = [];
  for (const part of candidate.parts) {
    const text = answerText(part);
    if (text !== null) texts.push(text);
    const call = toolCallFromPart(part, newId);
    if (call !== null) toolCalls.push(call);
  }
  const hasToolCalls = toolCalls.length > 0;
  const message: Record<string, unknown> = {
    role: "assistant",
    content: texts.length > 0 ? texts.join("") : null,
    refusal: null,
  };
  if (hasToolCalls) message["tool_calls"] = toolCalls;
  return {
    index: candidate.index,
    message,
    finish_reason:
      geminiFinishReason(candidate.finishReason, hasToolCalls) ?? (hasToolCalls ? "tool_calls" : "stop"),
    logprobs: geminiLogprobs(candidate.logprobsResult),
  };
}

function unreadable(message: string, body: unknown): LlmuxError {
  return new LlmuxError("upstream_http", message, {
    status: 502,
    retryable: true,
    provider: "gemini",
    cause: body,
  });
}

/**
 * A Gemini `GenerateContentResponse` → an OpenAI `chat.completion`:
 * - one choice per candidate: answer text parts (not `thought: true`) joined as `content` (null
 *   when there are none, e.g. only function calls), `functionCall` parts as `tool_calls` with
 *   minted ids (see `tool-call-id.ts`), `finish_reason` from `geminiFinishReason` (`tool_calls`
 *   when there are calls and Gemini said STOP; `stop` when Gemini gave none), `refusal: null`,
 *   `logprobs` from `logprobsResult` or null;
 * - `id` = `chatcmpl-<responseId>` (or `chatcmpl-<newId()>`), `created` = `floor(now / 1000)`,
 *   `model` = `modelVersion` or `options.model`, `usage` from `usageMetadata` when present.
 *
 * A blocked prompt (HTTP 200, no candidates, `promptFeedback.blockReason`) throws
 * `InvalidRequestError` (code `invalid_request`, status 400) naming the reason; a body that is not
 * a response at all (not an object, or no candidates and no block reason) throws a retryable
 * `LlmuxError` (`upstream_http`, 502).
 */
export function fromGeminiResponse(body: unknown, options: GeminiMapOptions): ChatCompletionBody {
  if (!isRecord(body)) throw unreadable("Gemini returned a response that is not a JSON object.", body);
  const blockReason = promptBlockReason(body);
  if (blockReason !== null) {
    throw new InvalidRequestError(promptBlockedMessage(body, blockReason), {
      code: "invalid_request",
      provider: "gemini",
      param: "messages",
      cause: body,
    });
  }
  const candidates = readCandidates(body);
  if (candidates.length === 0) throw unreadable("Gemini returned no candidates.", body);
  const responseId = body["responseId"];
  const modelVersion = body["modelVersion"];
  const completion: ChatCompletionBody = {
    id: `chatcmpl-${typeof responseId === "string" && responseId !== "" ? responseId : options.newId()}`,
    object: "chat.completion",
    created: Math.floor(options.now / 1000),
    model: typeof modelVersion === "string" && modelVersion !== "" ? modelVersion : options.model,
    choices: candidates.map((candidate) => toChoice(candidate, options.newId)),
  };
  if (isRecord(body["usageMetadata"])) completion.usage = geminiUsage(body["usageMetadata"]);
  return completion;
}
