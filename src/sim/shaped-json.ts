import { cutAfter, isOpen, jsonHeaders, sendJson, type Exchange } from "./exchange.js";
import type { SimFault } from "./types.js";

/** The error a non-stream `stream-error` fault answers with, in the wire's format. */
export interface FailureResponse {
  readonly status: number;
  readonly body: string;
  readonly headers?: Readonly<Record<string, string>>;
}

/**
 * Sends a non-stream JSON answer, shaped by a fault: `cut` sends the headers and half the body then closes
 * the connection, `stall` the same but keeps it open, `malformed` answers 200 `{not json`, `stream-error`
 * answers `failure`; other kinds (and no fault) send the answer.
 */
export function sendShapedJson(
  exchange: Exchange,
  body: string,
  headers: Readonly<Record<string, string>>,
  fault: SimFault | undefined,
  failure: FailureResponse,
): void {
  switch (fault?.kind) {
    case "cut":
    case "stall": {
      if (!isOpen(exchange)) return;
      const bytes = Buffer.from(body);
      const half = bytes.subarray(0, Math.floor(bytes.length / 2));
      exchange.record.status = 200;
      exchange.response.writeHead(200, jsonHeaders(exchange, bytes.length, headers));
      if (fault.kind === "cut") cutAfter(exchange, half);
      else exchange.response.write(half);
      return;
    }
    case "malformed":
      sendJson(exchange, 200, "{not json", headers);
      return;
    case "stream-error":
      sendJson(exchange, failure.status, failure.body, { ...headers, ...failure.headers });
      return;
    default:
      sendJson(exchange, 200, body, headers);
  }
}
