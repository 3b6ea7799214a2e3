import type { FastifyInstance } from "fastify";

/** Runs `stop` once on SIGTERM or SIGINT, then exits. */
export function onShutdown(stop: () => Promise<void>): void {
  let stopping = false;
  const handler = (): void => {
    if (stopping) return;
    stopping = true;
    void stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once("SIGTERM", handler);
  process.once("SIGINT", handler);
}

/**
 * The end of the shutdown grace: every stream still open gets an in-band `gateway_shutdown` error
 * event and its end (one log line each, with the request id), its upstream is aborted, and once
 * those last bytes reached the sockets (at most `flushMs`), every connection is closed.
 */
export async function closeAtGraceEnd(app: FastifyInstance, graceMs: number, flushMs = 1000): Promise<void> {
  await app.llmuxStreams.cutAll({ graceMs, flushMs });
  app.server.closeAllConnections();
}
