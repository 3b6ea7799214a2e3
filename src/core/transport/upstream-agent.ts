import { Agent, buildConnector, Client, Pool, type Dispatcher } from "undici";

/** Options of the upstream dispatcher (undici `Agent` options; defaults below). */
export type UpstreamAgentOptions = Omit<Agent.Options, "factory">;

/**
 * The pooled keep-alive dispatcher for upstream calls: no undici headers/body timeouts (the engine
 * runs its own per attempt), 30 s keep-alive (capped by each upstream's own hint), no connection
 * cap — and no idle connection left behind by an aborted stream (see {@link closingUnusedReconnects}).
 */
export function createUpstreamAgent(options: UpstreamAgentOptions = {}): Agent {
  return new Agent({
    headersTimeout: 0,
    bodyTimeout: 0,
    keepAliveTimeout: 30_000,
    ...options,
    factory: (origin: string | URL, poolOptions: object) =>
      new Pool(origin, { ...(poolOptions as Pool.Options), factory: closingUnusedReconnects }),
  });
}

/**
 * A pool's client whose fresh connections are closed when they carry no request.
 *
 * Why: when a request is aborted while its response is still streaming (a client that goes away
 * mid-answer, a caller's `break`), undici 7 destroys the socket with an informational error, puts
 * the aborted request back as pending, opens a new connection for it, and only then drops it
 * (nodejs/undici#5845). The new connection then sits idle in the pool until its keep-alive timeout
 * (the upstream's hint: 10 s on the simulator, minus undici's 2 s margin) — one idle upstream
 * socket per aborted stream. A connection that, once undici has had its turn, has nothing queued
 * or running on its client was opened for a request that no longer exists: it is closed at once,
 * as the keep-alive timer would have done later. A connection carrying a request is never touched.
 */
export function closingUnusedReconnects(origin: URL | string, options: object): Dispatcher {
  const clientOptions = options as Client.Options;
  const connect =
    typeof clientOptions.connect === "function"
      ? clientOptions.connect
      : buildConnector({ ...clientOptions.connect });
  let client: Client | null = null;
  const connector: buildConnector.connector = (connectOptions, callback) => {
    connect(connectOptions, (...args: Parameters<buildConnector.Callback>) => {
      callback(...args);
      const [error, socket] = args;
      // A failed connect passes only the error (the socket is then `undefined`, not `null`).
      if (error !== null || socket === null || socket === undefined) return;
      // undici writes the pending request (or drops an aborted one) synchronously in the callback.
      setImmediate(() => {
        if (client !== null && !socket.destroyed && client.stats.size === 0) socket.destroy();
      });
    });
  };
  client = new Client(origin, { ...clientOptions, connect: connector });
  return client;
}
