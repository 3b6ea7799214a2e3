import type { Dispatcher } from "undici";
import { LlmuxError, UpstreamNetworkError } from "../../errors/index.js";
import type { AttemptOptions } from "../../types/index.js";
import { serializeJson } from "./json-body.js";
import { post, type ErrorReader, type UpstreamResponse } from "./post.js";

/**
 * POSTs a request object as JSON (a translated body). A body that cannot be serialised is the
 * caller's `UnsendableRequestError`, raised before any connection sees it.
 */
export function postJson(
  dispatcher: Dispatcher,
  url: URL,
  headers: Record<string, string>,
  body: unknown,
  attempt: AttemptOptions,
  provider: string,
  onError: ErrorReader,
): Promise<UpstreamResponse> {
  const payload = serializeJson(body, provider);
  return post(
    dispatcher,
    { origin: url.origin, path: `${url.pathname}${url.search}` },
    headers,
    payload,
    attempt,
    provider,
    onError,
  );
}

/** Reads a whole JSON body; a body that is not JSON is a network-level failure of this attempt. */
export async function readJsonBody(response: UpstreamResponse, provider: string): Promise<unknown> {
  const bytes = await response.body.bytes();
  try {
    return JSON.parse(bytes.toString("utf8")) as unknown;
  } catch {
    throw new UpstreamNetworkError(
      `${provider}: answered ${response.status} with a body that is not JSON`,
      "EBADBODY",
      undefined,
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
