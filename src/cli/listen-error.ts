import { exitCodes } from "./exit-codes.js";

/** A failure to listen, as one line and an exit code; null for any other error. */
export function listenFailure(
  error: unknown,
  where: { host: string; port: number; retry: string },
): { message: string; code: number } | null {
  const code = (error as { code?: unknown } | null)?.code;
  const address = `${where.host}:${where.port}`;
  if (code === "EADDRINUSE")
    return {
      message: `port ${where.port} is in use (${address}); ${where.retry}`,
      code: exitCodes.cannotListen,
    };
  if (code === "EACCES")
    return {
      message: `not permitted to listen on ${address} (ports below 1024 need privileges); ${where.retry}`,
      code: exitCodes.cannotListen,
    };
  if (code === "EADDRNOTAVAIL" || code === "ENOTFOUND")
    return { message: `cannot listen on ${address}: no such local address`, code: exitCodes.cannotListen };
  return null;
}
