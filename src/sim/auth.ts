import type { IncomingHttpHeaders } from "node:http";
import type { SimContext } from "./context.js";
import { sendJson, type Exchange } from "./exchange.js";
import { errorBody } from "./openai-errors.js";
import { keyLabel } from "./rate-limiter.js";

/** The API key of a request: `Authorization: Bearer <key>`, else `x-api-key`; null when absent. */
export function readApiKey(headers: IncomingHttpHeaders): string | null {
  const authorization = headers.authorization;
  if (authorization !== undefined && /^bearer /i.test(authorization)) {
    const key = authorization.slice(7).trim();
    if (key !== "") return key;
  }
  const header = headers["x-api-key"];
  const key = Array.isArray(header) ? header[0] : header;
  return key === undefined || key === "" ? null : key;
}

/**
 * With `requireKnownKeys`, answers 401 `invalid_api_key` to a missing or unknown key and returns false.
 */
export function authorize(context: SimContext, exchange: Exchange): boolean {
  if (!context.requireKnownKeys) return true;
  const key = exchange.record.key;
  if (key !== null && context.limiter.isKnown(key)) return true;
  const message =
    key === null
      ? "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY)."
      : `Incorrect API key provided: ${keyLabel(key)}. You can find your API key at https://platform.openai.com/account/api-keys.`;
  sendJson(exchange, 401, errorBody(message, "invalid_request_error", "invalid_api_key"));
  return false;
}
