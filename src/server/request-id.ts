import type { IncomingMessage } from "node:http";
import { nextRequestId } from "../core/session/request-session.js";

/** Keeps a sane client-sent `x-request-id`, else makes one. */
export function nextRequestIdFromHeader(request: IncomingMessage): string {
  const given = request.headers["x-request-id"];
  if (typeof given === "string" && /^[\w.:-]{1,128}$/.test(given)) return given;
  return nextRequestId();
}
