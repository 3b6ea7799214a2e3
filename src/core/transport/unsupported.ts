import {
  InvalidRequestError,
  LlmuxError,
  UnsendableRequestError,
  UnsupportedRequestError,
} from "../../errors/index.js";

/**
 * Runs a request mapper. A request the provider cannot express (the mapper's `InvalidRequestError`)
 * becomes `UnsupportedRequestError`, so the engine tries a deployment of another provider before
 * answering 400; a mapper that throws anything else rejected input it cannot read: the caller's
 * `UnsendableRequestError`. Neither reached the upstream, so neither counts against the deployment.
 */
export function mapOrUnsupported<T>(provider: string, map: () => T): T {
  try {
    return map();
  } catch (error) {
    if (error instanceof UnsendableRequestError || error instanceof UnsupportedRequestError) throw error;
    if (error instanceof InvalidRequestError) {
      throw new UnsupportedRequestError(`${provider}: ${error.message}`, {
        param: error.param,
        provider,
        cause: error,
      });
    }
    if (error instanceof LlmuxError) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new UnsendableRequestError(`${provider}: the request could not be translated: ${reason}`, {
      provider,
      cause: error,
    });
  }
}
