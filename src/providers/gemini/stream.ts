import type { ChatCompletionChunkBody, StreamChunkEvent, StreamEvent, Usage } from "../../types/index.js";
import { isRecord, safeJsonParse, type SseMessage } from "../../util/index.js";
import {
  answerText,
  promptBlockedMessage,
  promptBlockReason,
  readCandidates,
  toolCallFromPart,
  type CandidateView,
} from "./candidate.js";
import { readGeminiError } from "./error.js";
import { geminiFinishReason } from "./finish-reason.js";
import { geminiLogprobs } from "./logprobs.js";
import type { GeminiMapOptions } from "./response.js";
import { geminiUsage } from "./usage.js";

type Choice = ChatCompletionChunkBody["choices"][number];

interface StreamState {
  /** Tool calls emitted so far, per candidate index; a key means the role chunk was sent. */
  toolCalls: Map<number, number>;
  finished: Set<number>;
  /** The last `usageMetadata` seen (Gemini may send partial ones before the final). */
  usage: Record<string, unknown> | null;
  usageSent: boolean;
}

/** Emits the text collected so far (one content delta), then clears it. */
function flushText(texts: string[], index: number, out: Choice[]): void {
  const text = texts.join("");
  texts.length = 0;
  if (text !== "") out.push({ index, delta: { content: text }, logprobs: null, finish_reason: null });
}

/** The content choices of one candidate of one response: text deltas and whole tool-call deltas, in order. */
function contentChoices(candidate: CandidateView, state: StreamState, newId: () => string): Choice[] {
  const out: Choice[] = [];
  const texts: string[] = [];
  for (const part of candidate.parts) {
    const text = answerText(part);
    if (text !== null) texts.push(text);
    const call = toolCallFromPart(part, newId);
    if (call === null) continue;
    flushText(texts, candidate.index, out);
    const position = state.toolCalls.get(candidate.index) ?? 0;
    state.toolCalls.set(candidate.index, position + 1);
    out.push({
      index: candidate.index,
      delta: { tool_calls: [{ index: position, ...call }] },
      logprobs: null,
      finish_reason: null,
    });
  }
  flushText(texts, candidate.index, out);
  const logprobs = geminiLogprobs(candidate.logprobsResult);
  const first = out[0];
  if (logprobs !== null && first !== undefined) first["logprobs"] = logprobs;
  return out;
}

function errorEvent(payload: Record<string, unknown>): StreamEvent {
  const fields = readGeminiError(payload);
  return {
    type: "error",
    errorType: fields.type ?? fields.code,
    message: fields.message ?? "Gemini reported an error in the stream.",
    payload,
  };
}

/** The fixed parts of one stream's chunks, and its state. */
interface StreamContext {
  created: number;
  header: { id: string; model: string };
  newId: () => string;
  state: StreamState;
}

function chunkEvent(context: StreamContext, choices: Choice[], usage: Usage | null = null): StreamChunkEvent {
  const { id, model } = context.header;
  const chunk: ChatCompletionChunkBody = {
    id,
    object: "chat.completion.chunk",
    created: context.created,
    model,
    choices,
  };
  if (usage !== null) chunk.usage = usage;
  const finish = choices.find((choice) => choice.finish_reason !== null);
  return {
    type: "chunk",
    data: JSON.stringify(chunk),
    chunk,
    content: choices.some(
      (choice) =>
        isRecord(choice.delta) && (Boolean(choice.delta["content"]) || "tool_calls" in choice.delta),
    ),
    finishReason: finish?.finish_reason ?? null,
    usage,
    usageOnly: choices.length === 0 && usage !== null,
  };
}

/** The events of one candidate of one response: role chunk (first time), content, finish. */
function candidateEvents(context: StreamContext, candidate: CandidateView): StreamEvent[] {
  const { state } = context;
  const { index } = candidate;
  const events: StreamEvent[] = [];
  if (!state.toolCalls.has(index)) {
    state.toolCalls.set(index, 0);
    const role = { index, delta: { role: "assistant", content: "" }, logprobs: null, finish_reason: null };
    events.push(chunkEvent(context, [role]));
  }
  if (state.finished.has(index)) return events;
  for (const choice of contentChoices(candidate, state, context.newId))
    events.push(chunkEvent(context, [choice]));
  const finish = geminiFinishReason(candidate.finishReason, (state.toolCalls.get(index) ?? 0) > 0);
  if (finish !== null) {
    state.finished.add(index);
    events.push(chunkEvent(context, [{ index, delta: {}, logprobs: null, finish_reason: finish }]));
  }
  return events;
}

/** The events of one `GenerateContentResponse` of the stream, then the usage chunk once all candidates finished. */
function responseEvents(context: StreamContext, response: Record<string, unknown>): StreamEvent[] {
  const { state } = context;
  if (isRecord(response["usageMetadata"])) state.usage = response["usageMetadata"];
  const events = readCandidates(response).flatMap((candidate) => candidateEvents(context, candidate));
  const allFinished = state.toolCalls.size > 0 && state.finished.size === state.toolCalls.size;
  if (allFinished && state.usage !== null && !state.usageSent) {
    state.usageSent = true;
    events.push(chunkEvent(context, [], geminiUsage(state.usage)));
  }
  return events;
}

function firstHeader(response: Record<string, unknown>, options: GeminiMapOptions): StreamContext["header"] {
  const { responseId, modelVersion } = response;
  return {
    id: `chatcmpl-${typeof responseId === "string" && responseId !== "" ? responseId : options.newId()}`,
    model: typeof modelVersion === "string" && modelVersion !== "" ? modelVersion : options.model,
  };
}

/**
 * A stateful mapper for one Gemini stream (`streamGenerateContent?alt=sse`), called once per SSE
 * message in order. Each `data:` is a whole `GenerateContentResponse`; there is no `[DONE]` (the
 * stream just ends), so no `done` event is produced. Per response, for each candidate:
 * - the first time a candidate appears, a role chunk (`delta: {role: "assistant", content: ""}`);
 * - its answer text parts as one content delta (thought parts skipped), each `functionCall` part as
 *   a tool-call delta carrying the whole call (`index` counts the candidate's calls, minted `id`,
 *   `arguments` = the JSON of `args`), in part order; `logprobsResult` rides on the first of them;
 * - when it carries `finishReason`, a finish chunk (`tool_calls` if the candidate emitted calls).
 * Once every candidate seen has finished and a `usageMetadata` has been seen (the last one wins),
 * one usage-only chunk follows (`choices: []`, `usageOnly: true`). Every chunk has the same `id`
 * (`chatcmpl-<responseId>` or `chatcmpl-<newId()>`), `created` = `floor(now / 1000)` and `model`
 * (`modelVersion` or `options.model`) of the first response.
 *
 * A blocked prompt (no candidates, `promptFeedback.blockReason`) gives an error event of type
 * `prompt_blocked`; an `error` payload (`google.rpc.Status`, also array-wrapped) an error event
 * typed by its status (e.g. `RESOURCE_EXHAUSTED`); a payload that is not a JSON object a
 * `malformed` event.
 */
export function createGeminiStreamMapper(options: GeminiMapOptions): (message: SseMessage) => StreamEvent[] {
  const created = Math.floor(options.now / 1000);
  const state: StreamState = { toolCalls: new Map(), finished: new Set(), usage: null, usageSent: false };
  let context: StreamContext | null = null;
  return (message) => {
    const parsed = safeJsonParse(message.data);
    const response: unknown = Array.isArray(parsed) ? parsed[0] : parsed;
    if (!isRecord(response)) return [{ type: "malformed", data: message.data }];
    if (response["error"] !== undefined && response["error"] !== null) return [errorEvent(response)];
    const blockReason = promptBlockReason(response);
    if (blockReason !== null) {
      const text = promptBlockedMessage(response, blockReason);
      return [{ type: "error", errorType: "prompt_blocked", message: text, payload: response }];
    }
    context ??= { created, header: firstHeader(response, options), newId: options.newId, state };
    return responseEvents(context, response);
  };
}
