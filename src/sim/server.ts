import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { readApiKey } from "./auth.js";
import type { SimContext } from "./context.js";
import type { Exchange } from "./exchange.js";
import { FaultList } from "./faults.js";
import { DEFAULT_MODELS, modelsListBody } from "./models.js";
import { RateLimiter } from "./rate-limiter.js";
import { route, type RouteInput } from "./router.js";
import type { SimRequestRecord, Simulator, SimulatorOptions } from "./types.js";

/** Connection timeouts: generous keep-alive for benchmarks, bounded header/body reading. */
const KEEP_ALIVE_TIMEOUT_MS = 10_000;
const HEADERS_TIMEOUT_MS = 15_000;
const REQUEST_TIMEOUT_MS = 60_000;

/**
 * Starts an OpenAI-compatible provider simulator on a real HTTP server (`node:http`).
 *
 * Serves `POST /v1/chat/completions` (stream and non-stream, see `buildAnswer` for the deterministic
 * answers), `POST /v1/embeddings` and `GET /v1/models`, with per-key rate limits (`x-ratelimit-*` headers,
 * 429 with `retry-after`/`retry-after-ms`), model context windows and injectable faults ({@link SimFault}).
 * Every request is logged in `requests`. Timers are `unref()`ed; nothing runs until this is called.
 */
export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const clock = options.clock ?? Date.now;
  const limiter = new RateLimiter(options.windowMs ?? 60_000, clock);
  for (const [key, limits] of Object.entries(options.keys ?? {})) limiter.setLimits(key, limits);
  const models = new Map(Object.entries(options.models ?? {}));
  const context: SimContext = {
    chunks: Math.max(1, Math.floor(options.chunks ?? 5)),
    chunkDelayMs: options.chunkDelayMs ?? 0,
    requireKnownKeys: options.requireKnownKeys ?? false,
    clock,
    models,
    faults: new FaultList(),
    limiter,
  };
  const modelIds = models.size > 0 ? [...models.keys()] : DEFAULT_MODELS;
  const input: RouteInput = { context, modelsBody: modelsListBody(modelIds), modelIds };
  const requests: SimRequestRecord[] = [];
  const maxRecords = options.maxRecords ?? 10_000;
  const latencyMs = options.latencyMs ?? 0;
  let sequence = 0;
  let closing = false;

  const onBody = (request: IncomingMessage, response: ServerResponse, raw: string): void => {
    let body: unknown = null;
    let malformedJson = false;
    if (raw.length > 0) {
      try {
        body = JSON.parse(raw);
      } catch {
        malformedJson = true;
      }
    }
    const record: SimRequestRecord = {
      method: request.method ?? "GET",
      path: pathOf(request.url),
      key: readApiKey(request.headers),
      model: modelOf(body),
      headers: request.headers,
      body,
      status: 0,
      aborted: false,
      at: clock(),
    };
    requests.push(record);
    if (requests.length > maxRecords) requests.shift();
    sequence += 1;
    const exchange: Exchange = { request, response, record, sequence, brokenByServer: false };
    response.once("close", () => {
      if (!response.writableFinished && !exchange.brokenByServer && !closing) record.aborted = true;
    });
    if (latencyMs > 0) setTimeout(() => route(input, exchange, malformedJson), latencyMs).unref();
    else route(input, exchange, malformedJson);
  };

  const server = createServer(
    {
      keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
      headersTimeout: HEADERS_TIMEOUT_MS,
      requestTimeout: REQUEST_TIMEOUT_MS,
      noDelay: true,
    },
    (request, response) => readBody(request, (raw) => onBody(request, response, raw)),
  );
  const sockets = trackSockets(server);
  await listen(server, options.port ?? 0, options.host ?? "127.0.0.1");
  const address = server.address() as AddressInfo;
  let closed: Promise<void> | undefined;

  return {
    url: `http://${urlHost(address.address)}:${address.port}/v1`,
    port: address.port,
    requests,
    addFault: (fault) => context.faults.add(fault),
    clearFaults: () => context.faults.clear(),
    setKey: (key, limits) => limiter.setLimits(key, limits),
    reset: () => {
      context.faults.clear();
      requests.length = 0;
      limiter.resetCounters();
    },
    close: () => {
      closed ??= new Promise<void>((resolve) => {
        closing = true;
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
      return closed;
    },
  };
}

function readBody(request: IncomingMessage, done: (raw: string) => void): void {
  const chunks: Buffer[] = [];
  request.on("data", (chunk: Buffer) => chunks.push(chunk));
  request.on("end", () => {
    const first = chunks[0];
    done(
      first === undefined ? "" : chunks.length === 1 ? first.toString() : Buffer.concat(chunks).toString(),
    );
  });
  request.on("error", () => undefined);
}

function pathOf(url: string | undefined): string {
  if (url === undefined) return "/";
  const query = url.indexOf("?");
  return query < 0 ? url : url.slice(0, query);
}

function modelOf(body: unknown): string | null {
  if (typeof body !== "object" || body === null) return null;
  const model = (body as { model?: unknown }).model;
  return typeof model === "string" ? model : null;
}

function trackSockets(server: Server): Set<Socket> {
  const sockets = new Set<Socket>();
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  return sockets;
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
}

function urlHost(address: string): string {
  if (address === "0.0.0.0") return "127.0.0.1";
  if (address === "::") return "[::1]";
  return address.includes(":") ? `[${address}]` : address;
}
