import { countDistinct, countMatches, hasNonAscii, testCue } from "./cue.js";
import * as cues from "./cues.js";
import { harmfulRequest, jailbreak } from "./cues-safety.js";
import type { RequestText } from "./request-text.js";
import type { IntentSignals } from "./types.js";

const numbers = /\d+(?:[.,]\d+)*/g;

/**
 * Computes every signal from the bounded texts of a request. Pure; each pattern scans each text at most
 * once, the patterns for other scripts only when the text has a non-ASCII character, and the finer cues
 * only when a coarser one already matched.
 */
export function extractSignals(text: RequestText): IntentSignals {
  const original = text.user;
  const user = original.toLowerCase();
  const system = text.system.toLowerCase();
  const other = hasNonAscii(user);
  const otherSystem = hasNonAscii(system);
  const has = (cue: cues.Cue): boolean => testCue(cue, user, other);
  const jsonWord = has(cues.jsonWord);
  const structured = has(cues.structuredOutput);
  const extractFields = has(cues.extractVerb) && (jsonWord || structured || has(cues.fieldWords));
  const translationCue = has(cues.translationVerb);
  return {
    tokenEstimate: Math.round(text.fullLength / 4),
    truncated: text.truncated,
    images: text.images,
    codeFence: cues.codeFence.test(original),
    programmingKeywords: countDistinct(cues.programmingTerms, user, other, 8),
    techWords: countDistinct(cues.techWords, user, other, 8),
    codeSyntax: countMatches(cues.codeShapes, original, 8),
    stackTrace: cues.stackTrace.test(original),
    jsonFormat: text.jsonFormat,
    jsonCue: jsonWord || extractFields || structured,
    translationCue,
    reasoningCues: countDistinct(cues.reasoningTerms, user, other, 6),
    reasoningHints: countDistinct(cues.reasoningHints, user, other, 6),
    math: has(cues.mathNotation),
    wordProblem: has(cues.wordProblem) && countMatches(numbers, user, 2) >= 2,
    safetyCue: has(jailbreak) || has(harmfulRequest),
    tools: text.tools,
    codeRequest: has(cues.codeRequest),
    systemCode: Math.min(
      3,
      countDistinct(cues.programmingTerms, system, otherSystem, 3) +
        countDistinct(cues.techWords, system, otherSystem, 3),
    ),
    systemJson: testCue(cues.jsonWord, system, otherSystem),
    systemTranslator: testCue(cues.translatorRole, system, otherSystem),
    extractFields,
    jsonWord,
    jsonDirective: jsonWord && has(cues.jsonDirective),
    targetLanguage: has(cues.targetLanguage),
  };
}
