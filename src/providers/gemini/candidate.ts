import { isRecord } from "../../util/index.js";
import { mintToolCallId } from "./tool-call-id.js";

/** The parts of a Gemini `Candidate` that llmux maps. */
export interface CandidateView {
  /** `candidate.index`, or its position when Gemini leaves it out. */
  index: number;
  parts: Array<Record<string, unknown>>;
  finishReason: string | null;
  logprobsResult: unknown;
}

/** An OpenAI tool call. */
export interface OpenAIToolCall {
  id: string;
  type: "function";
  function: { name: string; arguments: string };
}

/** The candidates of a `GenerateContentResponse` (non-objects skipped), in `index` order. */
export function readCandidates(response: Record<string, unknown>): CandidateView[] {
  const candidates = response["candidates"];
  if (!Array.isArray(candidates)) return [];
  const views = candidates.flatMap((candidate, position): CandidateView[] => {
    if (!isRecord(candidate)) return [];
    const content = candidate["content"];
    const parts =
      isRecord(content) && Array.isArray(content["parts"]) ? content["parts"].filter(isRecord) : [];
    const index = candidate["index"];
    const finishReason = candidate["finishReason"];
    return [
      {
        index: typeof index === "number" ? index : position,
        parts,
        finishReason: typeof finishReason === "string" && finishReason !== "" ? finishReason : null,
        logprobsResult: candidate["logprobsResult"],
      },
    ];
  });
  return views.sort((a, b) => a.index - b.index);
}

/** The answer text of a part: `text`, unless the part is a thought (`thought: true`). */
export function answerText(part: Record<string, unknown>): string | null {
  return typeof part["text"] === "string" && part["thought"] !== true ? part["text"] : null;
}

/**
 * A `functionCall` part → an OpenAI tool call whose id is minted from `newId()` and carries the
 * call's Gemini id and `thoughtSignature` (see `tool-call-id.ts`). Null for other parts.
 */
export function toolCallFromPart(part: Record<string, unknown>, newId: () => string): OpenAIToolCall | null {
  const call = part["functionCall"];
  if (!isRecord(call) || typeof call["name"] !== "string") return null;
  const geminiId = typeof call["id"] === "string" ? call["id"] : null;
  const signature = typeof part["thoughtSignature"] === "string" ? part["thoughtSignature"] : null;
  return {
    id: mintToolCallId(newId(), geminiId, signature),
    type: "function",
    function: { name: call["name"], arguments: JSON.stringify(isRecord(call["args"]) ? call["args"] : {}) },
  };
}

/** `promptFeedback.blockReason` of a response that has no candidates (the prompt was blocked), else null. */
export function promptBlockReason(response: Record<string, unknown>): string | null {
  const candidates = response["candidates"];
  if (Array.isArray(candidates) && candidates.length > 0) return null;
  const feedback = response["promptFeedback"];
  const reason = isRecord(feedback) ? feedback["blockReason"] : undefined;
  return typeof reason === "string" && reason !== "" ? reason : null;
}

/** The message for a blocked prompt, naming the reason (and Gemini's `blockReasonMessage`, when sent). */
export function promptBlockedMessage(response: Record<string, unknown>, reason: string): string {
  const feedback = response["promptFeedback"];
  const detail = isRecord(feedback) ? feedback["blockReasonMessage"] : undefined;
  const suffix = typeof detail === "string" && detail !== "" ? `: ${detail}` : ".";
  return `Gemini blocked the prompt (blockReason ${reason})${suffix}`;
}
