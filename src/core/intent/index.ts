export { classifyIntent, type ClassifyOptions } from "./classify.js";
export { decideIntent, chatThreshold } from "./decide.js";
export { extractSignals } from "./signals.js";
export {
  requestText,
  boundedJoin,
  defaultTextBounds,
  type RequestText,
  type TextBounds,
} from "./request-text.js";
export { intentLabels, type IntentLabel, type IntentResult, type IntentSignals } from "./types.js";
