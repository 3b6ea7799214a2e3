import type { IntentLabel, IntentSignals } from "./types.js";

/** The labels decided by scores (safety and vision are decided first, by rule). */
type ScoredLabel = "code_gen" | "json_extract" | "translation" | "deep_reason";

/** Below this score nothing specific was asked: `chat_lite`. */
export const chatThreshold = 1.5;

/** Prompts this long (estimated tokens) lean towards `deep_reason`. */
const longPromptTokens = 800;

const clamp01 = (value: number): number => Math.min(1, Math.max(0, value));

function codeScore(s: IntentSignals): number {
  return (
    (s.codeFence ? 3 : 0) +
    (s.stackTrace ? 3.5 : 0) +
    1.6 * Math.min(s.programmingKeywords, 4) +
    0.6 * Math.min(s.techWords, 5) +
    0.4 * Math.min(s.codeSyntax, 6) +
    (s.codeRequest ? 2 : 0) +
    0.4 * s.systemCode +
    (s.tools ? 0.5 : 0)
  );
}

function jsonScore(s: IntentSignals): number {
  return (
    (s.jsonFormat ? 5 : 0) +
    (s.jsonWord ? 3 : 0) +
    (s.jsonDirective ? 2 : 0) +
    (s.extractFields ? 2 : 0) +
    (s.jsonCue && !s.jsonWord && !s.extractFields ? 1.5 : 0) +
    (s.systemJson ? 2.5 : 0)
  );
}

function translationScore(s: IntentSignals): number {
  const verb = s.translationCue ? 3.5 : 0;
  // A target language alone ("answer in English") is not a translation; with a verb it confirms one.
  const target = s.targetLanguage ? (s.translationCue || s.systemTranslator ? 1.5 : 0.5) : 0;
  return verb + target + (s.systemTranslator ? 3 : 0);
}

function reasonScore(s: IntentSignals): number {
  return (
    1.5 * Math.min(s.reasoningCues, 3) +
    0.8 * Math.min(s.reasoningHints, 4) +
    (s.math ? 1.5 : 0) +
    (s.wordProblem ? 1.2 : 0) +
    (s.tokenEstimate > longPromptTokens ? 1 : 0)
  );
}

/** The label and confidence for a set of signals. Pure. */
export function decideIntent(s: IntentSignals): { label: IntentLabel; confidence: number } {
  if (s.safetyCue) return { label: "safety_risk", confidence: 0.9 };
  if (s.images > 0) return { label: "vision", confidence: s.images > 1 ? 0.95 : 0.9 };
  const scores: Array<[ScoredLabel, number]> = [
    ["code_gen", codeScore(s)],
    ["json_extract", jsonScore(s)],
    ["translation", translationScore(s)],
    ["deep_reason", reasonScore(s)],
  ];
  // Translating code between programming languages is a coding task.
  if (s.codeFence || s.stackTrace) scores[2] = ["translation", 0];
  let best: [ScoredLabel, number] = ["deep_reason", 0];
  let second = 0;
  for (const entry of scores) {
    if (entry[1] > best[1]) {
      second = best[1];
      best = entry;
    } else if (entry[1] > second) second = entry[1];
  }
  const [label, top] = best;
  if (top < chatThreshold) {
    const long = s.tokenEstimate > longPromptTokens ? 0.25 : 0;
    return { label: "chat_lite", confidence: round(clamp01(0.85 - 0.2 * (top / chatThreshold) - long)) };
  }
  const strength = top / (top + 2);
  const margin = (top - second) / top;
  return { label, confidence: round(clamp01(0.6 * strength + 0.4 * margin)) };
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
