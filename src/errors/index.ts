export * from "./llmux-error.js";
export { toOpenAIErrorBody } from "./openai-body.js";
export { redactSecrets } from "./redact.js";
export { SecretRedactor, minimumSecretLength, type SecretSources } from "./secret-redactor.js";
export { clipText } from "./clip.js";
export { GatewayShutdownError } from "./gateway-shutdown-error.js";
export * from "./budget-errors.js";
