import type { ChatRequest } from "../../types/index.js";
import { decideIntent } from "./decide.js";
import { defaultTextBounds, requestText, type TextBounds } from "./request-text.js";
import { extractSignals } from "./signals.js";
import type { IntentResult } from "./types.js";

/** Options of {@link classifyIntent}. */
export interface ClassifyOptions {
  /** How much text is read (default {@link defaultTextBounds}: 4 KB of the user turn, 1.5 KB of system). */
  bounds?: Readonly<TextBounds>;
}

/**
 * Labels a chat request with ModelMuxer's intents from lexical and structural signals of its system
 * prompts and last user turn (plus images anywhere, tools and `response_format`). Deterministic and
 * pure; reads at most a head and a tail of each text, so a huge prompt costs what a 5 KB one does.
 *
 * Rules first: a jailbreak or harmful request is `safety_risk`; an image is `vision`. Otherwise code,
 * JSON, translation and reasoning cues are scored and the best wins when it reaches the chat threshold;
 * below it the request is `chat_lite`. Confidence grows with the winning score and its margin.
 */
export function classifyIntent(request: ChatRequest, options: ClassifyOptions = {}): IntentResult {
  const signals = extractSignals(requestText(request, options.bounds ?? defaultTextBounds));
  const { label, confidence } = decideIntent(signals);
  return { label, confidence, signals };
}
