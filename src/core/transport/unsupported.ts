import { InvalidRequestError, UnsupportedRequestError } from "../../errors/index.js";

/**
 * Runs a request mapper; a request the provider cannot express becomes `UnsupportedRequestError`,
 * so the engine tries a deployment of another provider before answering 400.
 */
export function mapOrUnsupported<T>(provider: string, map: () => T): T {
  try {
    return map();
  } catch (error) {
    if (error instanceof InvalidRequestError && !(error instanceof UnsupportedRequestError)) {
      throw new UnsupportedRequestError(`${provider}: ${error.message}`, {
        param: error.param,
        provider,
        cause: error,
      });
    }
    throw error;
  }
}
