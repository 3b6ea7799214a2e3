/** ModelMuxer's seven task labels. */
export const intentLabels = [
  "chat_lite",
  "deep_reason",
  "code_gen",
  "json_extract",
  "translation",
  "vision",
  "safety_risk",
] as const;

/**
 * What a request asks for: `chat_lite` (small talk, short questions), `deep_reason` (analysis, proofs,
 * maths), `code_gen` (programming, debugging), `json_extract` (structured output), `translation`,
 * `vision` (images in the conversation), `safety_risk` (jailbreaks and harmful requests).
 */
export type IntentLabel = (typeof intentLabels)[number];

/** The lexical and structural signals the label was decided from (what ModelMuxer calls `intent_signals`). */
export interface IntentSignals {
  /** Rough prompt size of the text looked at (system + last user turn): characters / 4, before bounding. */
  tokenEstimate: number;
  /** True when a text was longer than its bound and only its head and tail were read. */
  truncated: boolean;
  /** Image parts anywhere in the conversation. */
  images: number;
  /** A fenced code block (```` ``` ```` or `~~~`). */
  codeFence: boolean;
  /** Distinct unambiguous programming terms (languages, frameworks, tools: "python", "css", "regex"), capped at 8. */
  programmingKeywords: number;
  /** Distinct words that lean towards code but occur elsewhere too ("server", "branch", "query"), capped at 8. */
  techWords: number;
  /** Code-shaped tokens (calls, camelCase and snake_case identifiers, operators, braces), capped at 8. */
  codeSyntax: number;
  /** A stack trace or compiler/runtime error line. */
  stackTrace: boolean;
  /** `response_format` asks for `json_object` or `json_schema`. */
  jsonFormat: boolean;
  /** The text asks for JSON or for fields to be extracted. */
  jsonCue: boolean;
  /** Translation phrasing ("translate … into …", "traduis", "übersetze", "翻译", …). */
  translationCue: boolean;
  /** Distinct strong reasoning cues ("prove", "analyze", "step by step", "démontrez", "分析"), capped at 6. */
  reasoningCues: number;
  /** Distinct weaker reasoning cues ("why", "explain", "consequences", "pourquoi"), capped at 6. */
  reasoningHints: number;
  /** Arithmetic or formula notation. */
  math: boolean;
  /** A question about quantities ("how many", "how likely", "when does") with at least two numbers. */
  wordProblem: boolean;
  /** Jailbreak phrasing or a request for clearly harmful help, in the user's text. */
  safetyCue: boolean;
  /** The request declares tools. */
  tools: boolean;
  /** "write a function / script / query …" (or its French, German, Spanish, Italian, Chinese forms). */
  codeRequest: boolean;
  /** Programming terms and tech words in the system prompt (capped at 3). */
  systemCode: number;
  /** The system prompt names JSON. */
  systemJson: boolean;
  /** The system prompt makes the model a translator. */
  systemTranslator: boolean;
  /** Asking to extract named things ("extract the name, email and phone"). */
  extractFields: boolean;
  /** JSON named in the user's text. */
  jsonWord: boolean;
  /** JSON asked for as the output ("give me a JSON object", "in JSON format"). */
  jsonDirective: boolean;
  /** A target language ("into French", "ins Englische", "al inglés", "成英文", …). */
  targetLanguage: boolean;
}

/** The classifier's answer. */
export interface IntentResult {
  label: IntentLabel;
  /** How sure the heuristic is, in [0, 1] (ModelMuxer routes directly from 0.7, calls it low under 0.4). */
  confidence: number;
  signals: IntentSignals;
}
