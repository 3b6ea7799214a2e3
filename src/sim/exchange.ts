import type { IncomingMessage, ServerResponse } from "node:http";
import type { SimRequestRecord } from "./types.js";

/** One request/response pair being served, with its log record. */
export interface Exchange {
  readonly request: IncomingMessage;
  readonly response: ServerResponse;
  readonly record: SimRequestRecord;
  /** The query string without `?` ("" when none). */
  readonly query: string;
  /** Request number (1-based), used in ids: `chatcmpl-sim-<n>`, `call_sim_<n>`, `req_sim_<n>`. */
  readonly sequence: number;
  /** Set when the simulator breaks the connection itself (faults, close), so it is not a client abort. */
  brokenByServer: boolean;
}

/** Whether the response can still be written. */
export function isOpen(exchange: Exchange): boolean {
  return !exchange.response.destroyed && !exchange.response.writableEnded;
}

/** Sends a complete JSON response. */
export function sendJson(
  exchange: Exchange,
  status: number,
  body: string,
  headers?: Readonly<Record<string, string>>,
): void {
  if (!isOpen(exchange)) return;
  exchange.record.status = status;
  exchange.response.writeHead(status, jsonHeaders(exchange, Buffer.byteLength(body), headers));
  exchange.response.end(body);
}

/** Response headers of a JSON body. */
export function jsonHeaders(
  exchange: Exchange,
  length: number,
  headers?: Readonly<Record<string, string>>,
): Record<string, string | number> {
  const all: Record<string, string | number> = {
    "content-type": "application/json",
    "content-length": length,
    "x-request-id": `req_sim_${exchange.sequence}`,
  };
  return headers === undefined ? all : Object.assign(all, headers);
}

/** Resets the TCP connection (RST) without answering. */
export function resetConnection(exchange: Exchange): void {
  exchange.brokenByServer = true;
  const socket = exchange.request.socket;
  if (typeof socket.resetAndDestroy === "function") socket.resetAndDestroy();
  else socket.destroy();
}

/** Writes `data` (headers must already be set), flushes it, then closes the connection mid-response. */
export function cutAfter(exchange: Exchange, data: string | Buffer): void {
  if (!isOpen(exchange)) return;
  exchange.brokenByServer = true;
  const socket = exchange.request.socket;
  if (data.length > 0) exchange.response.write(data);
  else exchange.response.flushHeaders();
  socket.end(() => socket.destroy());
}
