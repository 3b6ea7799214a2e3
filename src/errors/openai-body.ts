import type { OpenAIErrorBody } from "../types/index.js";
import { LlmuxError, InvalidRequestError, ModelNotFoundError, UpstreamHttpError } from "./llmux-error.js";
import { redactSecrets } from "./redact.js";

const typeByCode: Record<string, string> = {
  rate_limited: "rate_limit_error",
  all_deployments_failed: "server_error",
  upstream_http: "server_error",
  upstream_network: "server_error",
  timeout: "timeout_error",
  invalid_request: "invalid_request_error",
  context_length_exceeded: "invalid_request_error",
  stream_interrupted: "server_error",
  aborted: "invalid_request_error",
  model_not_found: "invalid_request_error",
  no_deployments: "server_error",
  config_invalid: "invalid_request_error",
};

const openAICode: Partial<Record<string, string>> = {
  rate_limited: "rate_limit_exceeded",
  model_not_found: "model_not_found",
  context_length_exceeded: "context_length_exceeded",
};

/** Turns any error into the OpenAI error body (`{error: {message, type, param, code}}`). */
export function toOpenAIErrorBody(error: unknown): OpenAIErrorBody {
  if (error instanceof LlmuxError) {
    const upstream = upstreamOf(error);
    const param =
      error instanceof InvalidRequestError
        ? error.param
        : error instanceof ModelNotFoundError
          ? "model"
          : null;
    return {
      error: {
        message: error.message,
        type: upstream?.upstreamType ?? typeByCode[error.code] ?? "server_error",
        param,
        code: upstream?.upstreamCode ?? openAICode[error.code] ?? error.code,
      },
    };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { error: { message: redactSecrets(message), type: "server_error", param: null, code: null } };
}

/** The upstream HTTP error behind an invalid-request error, whose type and code the caller should see. */
function upstreamOf(error: LlmuxError): UpstreamHttpError | null {
  if (!(error instanceof InvalidRequestError)) return null;
  return error.cause instanceof UpstreamHttpError ? error.cause : null;
}
