import { resetConnection, sendJson, type Exchange } from "./exchange.js";
import { defaultErrorBody } from "./openai-errors.js";
import type { SimFault } from "./types.js";

/**
 * Applies a `status`, `reset` or `hang` fault: answers `status` (default 500) with the fault's headers and
 * body (default `defaultBody(status)`, an OpenAI error body unless given), resets the connection, or leaves
 * the request unanswered.
 */
export function applyEarlyFault(
  exchange: Exchange,
  fault: SimFault,
  defaultBody: (status: number) => string = defaultErrorBody,
): void {
  switch (fault.kind) {
    case "reset":
      resetConnection(exchange);
      return;
    case "hang":
      return;
    default: {
      const status = fault.status ?? 500;
      const body = fault.body === undefined ? defaultBody(status) : JSON.stringify(fault.body);
      sendJson(exchange, status, body, fault.headers);
    }
  }
}
