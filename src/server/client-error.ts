import { STATUS_CODES } from "node:http";
import type { Socket } from "node:net";
import type { OpenAIErrorBody } from "../types/index.js";

/** What Node's HTTP parser reports, by error code: the status and what to tell the client. */
const framingErrors: Record<string, { status: number; message: string }> = {
  ERR_HTTP_REQUEST_TIMEOUT: { status: 408, message: "The request was not received in time." },
  HPE_HEADER_OVERFLOW: { status: 431, message: "The request headers are too large." },
  HPE_INVALID_CHUNK_SIZE: { status: 400, message: "Malformed HTTP request: invalid chunked encoding." },
  HPE_CHUNK_EXTENSIONS_OVERFLOW: {
    status: 400,
    message: "Malformed HTTP request: chunk extensions are too large.",
  },
  HPE_UNEXPECTED_CONTENT_LENGTH: {
    status: 400,
    message: "Malformed HTTP request: conflicting Content-Length or Transfer-Encoding headers.",
  },
  HPE_INVALID_CONTENT_LENGTH: {
    status: 400,
    message: "Malformed HTTP request: invalid or repeated Content-Length header.",
  },
  HPE_INVALID_TRANSFER_ENCODING: {
    status: 400,
    message: "Malformed HTTP request: invalid Transfer-Encoding header.",
  },
  HPE_INVALID_HEADER_TOKEN: {
    status: 400,
    message: "Malformed HTTP request: invalid character in a header.",
  },
};

/** A response of ours already under way on this socket (Node keeps it as `_httpMessage`). */
function responseStarted(socket: Socket): boolean {
  const message = (socket as Socket & { _httpMessage?: { headersSent?: boolean } | null })._httpMessage;
  return message?.headersSent === true;
}

/** The raw HTTP/1.1 answer to a request the parser refused, with the OpenAI error body. */
export function clientErrorResponse(code: string): string {
  const known = framingErrors[code];
  const status = known?.status ?? 400;
  const body: OpenAIErrorBody = {
    error: {
      message: known?.message ?? `Malformed HTTP request (${code || "unknown parse error"}).`,
      type: "invalid_request_error",
      param: null,
      code: status === 408 ? "request_timeout" : "invalid_http_request",
    },
  };
  const json = JSON.stringify(body);
  return (
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? "Bad Request"}\r\n` +
    `content-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(json)}\r\n` +
    `connection: close\r\n\r\n${json}`
  );
}

/**
 * The server's `clientError` handler: a request Node's HTTP parser refuses (bad chunked encoding,
 * two Content-Lengths, a bad header character, headers too large or too slow) is answered with the
 * OpenAI error body instead of Fastify's `{"error":"Bad Request",…}`, then the connection is closed.
 * Nothing is written when the client is gone or a response already started on the socket.
 */
export function onClientError(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === "ECONNRESET" || socket.destroyed) return;
  if (socket.writable && !responseStarted(socket)) socket.end(clientErrorResponse(error.code ?? ""));
  socket.destroySoon();
}
