/** OpenAI error bodies (`{"error":{message,type,param,code}}`) as the real API sends them. */

/** The inner object of an OpenAI error body. */
export interface SimErrorObject {
  message: string;
  type: string;
  param: string | null;
  code: string | null;
}

/** Serialises an OpenAI error body. */
export function errorBody(
  message: string,
  type: string,
  code: string | null = null,
  param: string | null = null,
): string {
  const error: SimErrorObject = { message, type, param, code };
  return JSON.stringify({ error });
}

const DEFAULTS: Record<number, [message: string, type: string, code: string | null]> = {
  400: ["Invalid request (simulated).", "invalid_request_error", null],
  401: ["Incorrect API key provided (simulated).", "invalid_request_error", "invalid_api_key"],
  403: ["You are not allowed to sample from this model (simulated).", "invalid_request_error", null],
  404: [
    "The model does not exist or you do not have access to it (simulated).",
    "invalid_request_error",
    "model_not_found",
  ],
  408: ["Request timed out (simulated).", "timeout", null],
  409: ["Conflict (simulated).", "invalid_request_error", null],
  422: ["Unprocessable request (simulated).", "invalid_request_error", null],
  429: [
    "Rate limit reached for requests (simulated). Please try again in 1s.",
    "requests",
    "rate_limit_exceeded",
  ],
  500: [
    "The server had an error while processing your request. Sorry about that! (simulated)",
    "server_error",
    null,
  ],
  502: ["Bad gateway (simulated).", "server_error", null],
  503: ["The engine is currently overloaded, please try again later (simulated).", "server_error", null],
  504: ["Gateway timeout (simulated).", "server_error", null],
};

/**
 * The default body of a `status` fault: an OpenAI error body fitting the status (e.g. 429 →
 * `rate_limit_exceeded`, 401 → `invalid_api_key`, 5xx → `server_error`).
 */
export function defaultErrorBody(status: number): string {
  const known = DEFAULTS[status];
  if (known) return errorBody(known[0], known[1], known[2]);
  const type = status >= 500 ? "server_error" : "invalid_request_error";
  return errorBody(`Simulated error with status ${status}.`, type);
}
