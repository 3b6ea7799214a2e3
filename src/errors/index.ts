export * from "./llmux-error.js";
export { toOpenAIErrorBody } from "./openai-body.js";
export { redactSecrets } from "./redact.js";
