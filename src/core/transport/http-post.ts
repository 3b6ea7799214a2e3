import type { Dispatcher } from "undici";
import { LlmuxError, UpstreamNetworkError } from "../../errors/index.js";
import type { HeaderMap } from "../../types/index.js";
import { serializeJson } from "./json-body.js";
import { flatHeaders, networkErrorFrom, readLimitedText } from "./upstream-errors.js";

/** A successful upstream response (status < 400). */
export interface PostResponse {
  status: number;
  headers: HeaderMap;
  body: Dispatcher.ResponseData["body"];
}

/**
 * POSTs JSON through the pooled dispatcher. A body that cannot be serialised is the caller's
 * `UnsendableRequestError`; transport errors become `UpstreamNetworkError` (or the signal's
 * reason); an error status is handed to `onError` with the (bounded) body text, which must throw
 * the provider's error.
 */
export async function postJson(
  dispatcher: Dispatcher,
  url: URL,
  headers: Record<string, string>,
  body: unknown,
  signal: AbortSignal,
  provider: string,
  onError: (status: number, headers: HeaderMap, text: string) => never,
): Promise<PostResponse> {
  // Serialised before the connection sees it: a body that cannot be is the caller's 400.
  const payload = serializeJson(body, provider);
  let response: Dispatcher.ResponseData;
  try {
    response = await dispatcher.request({
      origin: url.origin,
      path: `${url.pathname}${url.search}`,
      method: "POST",
      headers,
      body: payload,
      signal,
    });
  } catch (error) {
    throw networkErrorFrom(error, signal, provider);
  }
  const responseHeaders = flatHeaders(response.headers);
  if (response.statusCode >= 400) {
    const text = await readLimitedText(response.body).catch(() => "");
    onError(response.statusCode, responseHeaders, text);
  }
  return { status: response.statusCode, headers: responseHeaders, body: response.body };
}

/** Reads a whole JSON body; a body that is not JSON is a network-level failure of this attempt. */
export async function readJsonBody(
  response: PostResponse,
  signal: AbortSignal,
  provider: string,
): Promise<unknown> {
  let text: string;
  try {
    text = await response.body.text();
  } catch (error) {
    throw networkErrorFrom(error, signal, provider);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw networkErrorFrom(
      new Error(`answered ${response.status} with a body that is not JSON`),
      signal,
      provider,
    );
  }
}

/**
 * Maps an upstream answer with a provider's response mapper. A mapper that throws on what the
 * upstream sent makes it the upstream's failure (a body we cannot read), never the caller's.
 */
export function mapAnswer<T>(provider: string, map: () => T): T {
  try {
    return map();
  } catch (error) {
    if (error instanceof LlmuxError) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new UpstreamNetworkError(
      `${provider}: answered with a body that could not be read: ${reason}`,
      "EBADBODY",
      error,
      provider,
    );
  }
}
