import { UnsendableRequestError, UpstreamHttpError, UpstreamNetworkError } from "../../errors/index.js";
import { readOpenAIError } from "../../providers/openai/index.js";
import type { HeaderMap } from "../../types/index.js";
import { isRecord, safeJsonParse } from "../../util/index.js";

/** Builds the upstream HTTP error from an error response, read by the provider's error mapper (OpenAI's by default). */
export function httpErrorFrom(
  status: number,
  headers: HeaderMap,
  text: string,
  provider: string,
  read: (body: unknown) => {
    message: string | null;
    type: string | null;
    code: string | null;
  } = readOpenAIError,
): UpstreamHttpError {
  const parsed = safeJsonParse(text);
  const body = parsed === undefined ? text : parsed;
  const fields = read(body);
  const message = fields.message ?? (text.trim() === "" ? `HTTP ${status}` : text.slice(0, 500));
  return new UpstreamHttpError(status, `${provider}: ${message}`, {
    headers,
    body,
    upstreamType: fields.type,
    upstreamCode: fields.code,
    provider,
  });
}

/**
 * Wraps a transport error (undici or system) as a network error; aborts pass through as the
 * signal's reason. Options undici refuses before connecting (`UND_ERR_INVALID_ARG`: a header it
 * cannot send) make the request unsendable: the caller's error, not the deployment's.
 */
export function networkErrorFrom(
  error: unknown,
  signal: { readonly aborted: boolean; readonly reason: unknown } | null,
  provider: string,
): unknown {
  if (signal?.aborted) return signal.reason;
  if (isRecord(error) && error["code"] === "UND_ERR_INVALID_ARG") {
    const reason = error instanceof Error ? error.message : String(error);
    return new UnsendableRequestError(`The request cannot be sent: ${reason}`, { provider, cause: error });
  }
  let code: string | null = null;
  let current: unknown = error;
  for (let depth = 0; depth < 4 && isRecord(current); depth += 1) {
    if (typeof current["code"] === "string") {
      code = current["code"];
      break;
    }
    current = current["cause"];
  }
  const message = error instanceof Error ? error.message : String(error);
  return new UpstreamNetworkError(
    `${provider}: ${message}${code ? ` (${code})` : ""}`,
    code,
    error,
    provider,
  );
}

/** Lower-cases undici's header object into a flat map (joining repeated headers). */
export function flatHeaders(headers: Record<string, string | string[] | undefined>): HeaderMap {
  const out: Record<string, string> = {};
  for (const name in headers) {
    const value = headers[name];
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  return out;
}
