import type { ServerResponse } from "node:http";
import { AbortedError, type SecretRedactor } from "../errors/index.js";
import { errorAnswer } from "./error-reply.js";

/**
 * Writes a whole JSON answer straight to the response (routes that took the response over from
 * Fastify, to skip its reply pipeline on the hot path): status, headers, length, body in one write.
 */
export function writeJson(
  raw: ServerResponse,
  status: number,
  headers: Record<string, string>,
  body: string | Buffer,
): void {
  if (raw.destroyed || raw.headersSent) return;
  const bytes = typeof body === "string" ? Buffer.from(body) : body;
  headers["content-type"] = "application/json; charset=utf-8";
  headers["content-length"] = String(bytes.length);
  raw.writeHead(status, headers);
  raw.end(bytes);
}

/** Writes an error answer in the OpenAI shape, secrets masked; nothing when the client is gone. */
export function writeError(raw: ServerResponse, error: unknown, redactor: SecretRedactor): void {
  if (error instanceof AbortedError || raw.destroyed || raw.headersSent) return;
  const answer = errorAnswer(error, redactor);
  writeJson(raw, answer.status, { ...answer.headers }, JSON.stringify(answer.body));
}
