/** The Gemini answer: GenerateContentResponse bodies and the `alt=sse` stream events. */
import type { Answer } from "./answer.js";
import type { StreamLayout } from "./stream-shape.js";

/** What a response carries besides the answer. */
export interface GenerateMeta {
  /** `modelVersion`: the model of the path. */
  readonly model: string;
  /** `responseId`: `resp_sim_<n>`. */
  readonly responseId: string;
  /** `thoughtSignature` of function call parts: base64 of `sig-sim-<n>`. */
  readonly thoughtSignature: string;
}

type FinishReason = "STOP" | "MAX_TOKENS" | "SAFETY";

/** Gemini says STOP for function calls too. */
const FINISH_REASONS: Readonly<Record<Answer["finishReason"], FinishReason>> = {
  stop: "STOP",
  length: "MAX_TOKENS",
  tool_calls: "STOP",
  content_filter: "SAFETY",
};

/** Safety ratings of a `SAFETY` finish or a blocked prompt: dangerous content rated HIGH and blocked. */
export const SAFETY_RATINGS: readonly object[] = [
  { category: "HARM_CATEGORY_SEXUALLY_EXPLICIT", probability: "NEGLIGIBLE" },
  { category: "HARM_CATEGORY_HATE_SPEECH", probability: "NEGLIGIBLE" },
  { category: "HARM_CATEGORY_HARASSMENT", probability: "NEGLIGIBLE" },
  { category: "HARM_CATEGORY_DANGEROUS_CONTENT", probability: "HIGH", blocked: true },
];

/** Gemini frames `alt=sse` events with CRLF line ends: `data: <json>\r\n\r\n`. */
function sse(value: unknown): string {
  return `data: ${JSON.stringify(value)}\r\n\r\n`;
}

const MALFORMED = "data: {not json\r\n\r\n";
const STREAM_ERROR = sse({
  error: { code: 503, message: "The model is overloaded. Please try again later.", status: "UNAVAILABLE" },
});

function usageMetadata(promptTokens: number, candidateTokens: number): Record<string, number> {
  return {
    promptTokenCount: promptTokens,
    candidatesTokenCount: candidateTokens,
    totalTokenCount: promptTokens + candidateTokens,
  };
}

/** One candidate: `parts` (no `content` when empty), the finish reason when given, and safety ratings on SAFETY. */
function candidate(parts: readonly object[], finishReason: FinishReason | undefined): object {
  return {
    ...(parts.length > 0 ? { content: { parts, role: "model" } } : {}),
    ...(finishReason === undefined ? {} : { finishReason }),
    index: 0,
    ...(finishReason === "SAFETY" ? { safetyRatings: SAFETY_RATINGS } : {}),
  };
}

function response(meta: GenerateMeta, candidates: object[], usage: object): object {
  return { candidates, usageMetadata: usage, modelVersion: meta.model, responseId: meta.responseId };
}

function functionCallPart(answer: Answer, meta: GenerateMeta): object | undefined {
  const call = answer.toolCall;
  if (call === undefined) return undefined;
  const args = JSON.parse(call.arguments) as unknown;
  return { functionCall: { name: call.name, args }, thoughtSignature: meta.thoughtSignature };
}

/**
 * The non-stream GenerateContentResponse: `candidates[0]` with `content {role:"model", parts}` — one text
 * part per piece, or one `functionCall {name, args}` part with a `thoughtSignature` — `finishReason`
 * (STOP, MAX_TOKENS, SAFETY with `safetyRatings`), `index: 0`; `usageMetadata`, `modelVersion`, `responseId`.
 */
export function generateBody(answer: Answer, meta: GenerateMeta): string {
  const call = functionCallPart(answer, meta);
  const parts = call === undefined ? answer.pieces.map((text) => ({ text })) : [call];
  const usage = usageMetadata(answer.usage.prompt_tokens, answer.usage.completion_tokens);
  return JSON.stringify(response(meta, [candidate(parts, FINISH_REASONS[answer.finishReason])], usage));
}

/**
 * The `alt=sse` events: one `data:` event per text piece (a function call is one event), each with the
 * cumulative `usageMetadata`; the last one carries the `finishReason` unless `final` is false (for `cut`,
 * `stall` and `stream-error` faults). No end marker. A `safety` answer without pieces is one event without content.
 */
export function generateEvents(
  answer: Answer,
  meta: GenerateMeta,
  final: boolean,
): { events: string[]; layout: StreamLayout } {
  const prompt = answer.usage.prompt_tokens;
  const finish = FINISH_REASONS[answer.finishReason];
  const call = functionCallPart(answer, meta);
  const chunks: object[][] = call === undefined ? answer.pieces.map((text) => [{ text }]) : [[call]];
  const events = chunks.map((parts, index) => {
    const last = index === chunks.length - 1;
    const produced = call === undefined ? index + 1 : answer.usage.completion_tokens;
    const usage = usageMetadata(prompt, produced);
    return sse(response(meta, [candidate(parts, last && final ? finish : undefined)], usage));
  });
  if (events.length === 0 && final)
    events.push(sse(response(meta, [candidate([], finish)], usageMetadata(prompt, 0))));
  const layout: StreamLayout = {
    head: 0,
    pieces: chunks.length,
    endMarkers: 0,
    malformed: MALFORMED,
    streamError: STREAM_ERROR,
  };
  return { events, layout };
}

/**
 * The answer to a prompt blocked by a `blocked` fault: `{promptFeedback:{blockReason:"SAFETY",
 * safetyRatings}, usageMetadata:{promptTokenCount, totalTokenCount}, modelVersion, responseId}`, no candidates.
 */
export function blockedBody(promptTokens: number, meta: GenerateMeta): string {
  return JSON.stringify({
    promptFeedback: { blockReason: "SAFETY", safetyRatings: SAFETY_RATINGS },
    usageMetadata: { promptTokenCount: promptTokens, totalTokenCount: promptTokens },
    modelVersion: meta.model,
    responseId: meta.responseId,
  });
}
