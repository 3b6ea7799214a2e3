/** Anthropic error bodies: `{"type":"error","error":{type,message},"request_id"}`. */

/** The `error.type` Anthropic uses for each status (other 4xx: `invalid_request_error`, 5xx: `api_error`). */
const TYPES: Readonly<Record<number, string>> = {
  400: "invalid_request_error",
  401: "authentication_error",
  402: "billing_error",
  403: "permission_error",
  404: "not_found_error",
  413: "request_too_large",
  429: "rate_limit_error",
  500: "api_error",
  504: "timeout_error",
  529: "overloaded_error",
};

const MESSAGES: Readonly<Record<string, string>> = {
  invalid_request_error: "Invalid request (simulated).",
  authentication_error: "invalid x-api-key (simulated)",
  billing_error: "Your credit balance is too low to access the Anthropic API (simulated).",
  permission_error: "Your API key does not have permission to use the specified resource (simulated).",
  not_found_error: "The requested resource could not be found (simulated).",
  request_too_large: "Request exceeds the maximum allowed number of bytes (simulated).",
  rate_limit_error: "Number of requests has exceeded your rate limit (simulated).",
  api_error: "Internal server error (simulated).",
  timeout_error: "Request timed out (simulated).",
  overloaded_error: "Overloaded",
};

/** The Anthropic `error.type` fitting an HTTP status. */
export function anthropicErrorType(status: number): string {
  return TYPES[status] ?? (status >= 500 ? "api_error" : "invalid_request_error");
}

/** Serialises an Anthropic error body; `requestId` is `req_sim_<n>` of the exchange. */
export function anthropicErrorBody(type: string, message: string, requestId: string): string {
  return JSON.stringify({ type: "error", error: { type, message }, request_id: requestId });
}

/** The default body of a `status` fault on the Anthropic wire, e.g. 529 → `overloaded_error` "Overloaded". */
export function defaultAnthropicErrorBody(status: number, requestId: string): string {
  const type = anthropicErrorType(status);
  return anthropicErrorBody(type, MESSAGES[type] ?? `Simulated error with status ${status}.`, requestId);
}
