import { UnsendableRequestError } from "../../errors/index.js";

/**
 * Serialises a request body for the upstream before anything is handed to the connection. A body
 * that cannot be serialised (nested too deeply for the stack, circular, holding a BigInt) is the
 * caller's bad request: `UnsendableRequestError`, never a network failure of the deployment.
 */
export function serializeJson(body: unknown, provider: string | null = null): string {
  try {
    return JSON.stringify(body);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const hint = error instanceof RangeError ? " (is it nested too deeply?)" : "";
    throw new UnsendableRequestError(`The request body cannot be serialised as JSON: ${reason}${hint}`, {
      provider,
      cause: error,
    });
  }
}
