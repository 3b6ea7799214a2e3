import type { Dispatcher } from "undici";
import type { HeaderMap } from "../../types/index.js";
import { flatHeaders, networkErrorFrom, readLimitedText } from "./upstream-errors.js";

/** A successful upstream response (status < 400). */
export interface PostResponse {
  status: number;
  headers: HeaderMap;
  body: Dispatcher.ResponseData["body"];
}

/**
 * POSTs JSON through the pooled dispatcher. Transport errors become `UpstreamNetworkError` (or the
 * signal's reason); an error status is handed to `onError` with the (bounded) body text, which
 * must throw the provider's error.
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
  let response: Dispatcher.ResponseData;
  try {
    response = await dispatcher.request({
      origin: url.origin,
      path: `${url.pathname}${url.search}`,
      method: "POST",
      headers,
      body: JSON.stringify(body),
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
