import { resetConnection, sendJson, type Exchange } from "./exchange.js";
import { defaultErrorBody, errorBody } from "./openai-errors.js";
import { prefillRejectedMessage } from "./prefill.js";
import type { SimFault } from "./types.js";

/** The OpenAI body of a `prefill-rejected` fault. */
const prefillRejectedBody = (): string =>
  errorBody(prefillRejectedMessage, "invalid_request_error", "invalid_prefill", "messages");

/**
 * Applies a `status`, `reset`, `hang` or `prefill-rejected` fault: answers `status` (default 500) with
 * the fault's headers and body (default `defaultBody(status)`, an OpenAI error body unless given), resets
 * the connection, leaves the request unanswered, or answers 400 with `rejectedBody()` (default OpenAI's
 * `invalid_prefill`).
 */
export function applyEarlyFault(
  exchange: Exchange,
  fault: SimFault,
  defaultBody: (status: number) => string = defaultErrorBody,
  rejectedBody: () => string = prefillRejectedBody,
): void {
  switch (fault.kind) {
    case "reset":
      resetConnection(exchange);
      return;
    case "hang":
      return;
    case "prefill-rejected":
      sendJson(
        exchange,
        400,
        fault.body === undefined ? rejectedBody() : JSON.stringify(fault.body),
        fault.headers,
      );
      return;
    default: {
      const status = fault.status ?? 500;
      const body = fault.body === undefined ? defaultBody(status) : JSON.stringify(fault.body);
      sendJson(exchange, status, body, fault.headers);
    }
  }
}
