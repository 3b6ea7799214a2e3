import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import type { SimContext } from "./context.js";
import type { Exchange } from "./exchange.js";
import { FaultList } from "./faults.js";
import { textPieces } from "./prefill.js";
import { DEFAULT_MODELS, modelsListBody } from "./models.js";
import { RateLimiter } from "./rate-limiter.js";
import { route, type RouteInput } from "./router.js";
import type { SimRequestRecord, Simulator, SimulatorOptions } from "./types.js";
import { readRequestKey, requestModel, wireOf } from "./wire.js";

/** Connection timeouts: generous keep-alive for benchmarks, bounded header/body reading. */
const KEEP_ALIVE_TIMEOUT_MS = 10_000;
const HEADERS_TIMEOUT_MS = 15_000;
const REQUEST_TIMEOUT_MS = 60_000;

/**
 * Starts a provider simulator on a real HTTP server (`node:http`), speaking three wire formats by route:
 *
 * - OpenAI: `POST /v1/chat/completions` (stream and non-stream, see `buildAnswer` for the deterministic
 *   answers), `POST /v1/embeddings` and `GET /v1/models`; rate limits as `x-ratelimit-*` headers, 429 with
 *   `retry-after`/`retry-after-ms`;
 * - Anthropic: `POST /v1/messages` (also `?beta=true`) and `POST /v1/messages/count_tokens`, see
 *   `handleMessages`; `anthropic-ratelimit-*` headers, 429 `rate_limit_error` with `retry-after`;
 * - Gemini: `POST /v1beta/models/{model}:generateContent` and `:streamGenerateContent?alt=sse`,
 *   `GET /v1beta/models[/{model}]`, see `handleGenerateContent`; 429 `RESOURCE_EXHAUSTED` with `RetryInfo`.
 *
 * Keys, rate limits (per key or per organisation, shared by all wires; fixed windows or token buckets, see
 * {@link SimulatorOptions.limiter}), model context windows and injectable faults ({@link SimFault}) are
 * common to all three. Every request is logged in `requests`. Timers are `unref()`ed;
 * nothing runs until this is called.
 */
export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const clock = options.clock ?? Date.now;
  const limiter = new RateLimiter({
    kind: options.limiter ?? "window",
    windowMs: options.windowMs ?? 60_000,
    burst: options.burst ?? 1,
    perModel: options.limitsPer === "model",
    countRejected: options.countRejected ?? false,
    dayMs: options.dayMs ?? 86_400_000,
    dayOrigin: options.dayOrigin ?? 0,
    clock,
  });
  for (const [org, limits] of Object.entries(options.orgs ?? {})) limiter.setOrg(org, limits);
  for (const [key, limits] of Object.entries(options.keys ?? {})) limiter.setLimits(key, limits);
  const models = new Map(Object.entries(options.models ?? {}));
  const context: SimContext = {
    chunks: Math.max(1, Math.floor(options.chunks ?? 5)),
    text: options.answer === undefined ? null : textPieces(options.answer),
    chunkDelayMs: options.chunkDelayMs ?? 0,
    requireKnownKeys: options.requireKnownKeys ?? false,
    geminiWrapErrorsInArray: options.geminiWrapErrorsInArray ?? false,
    clock,
    models,
    faults: new FaultList(clock),
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
    const url = request.url ?? "/";
    const queryStart = url.indexOf("?");
    const path = queryStart < 0 ? url : url.slice(0, queryStart);
    const query = queryStart < 0 ? "" : url.slice(queryStart + 1);
    const wire = wireOf(path);
    const record: SimRequestRecord = {
      wire,
      method: request.method ?? "GET",
      path,
      key: readRequestKey(wire, request.headers, query),
      model: requestModel(wire, path, body),
      headers: request.headers,
      body,
      status: 0,
      aborted: false,
      at: clock(),
      charged: null,
    };
    requests.push(record);
    if (requests.length > maxRecords) requests.shift();
    sequence += 1;
    const exchange: Exchange = { request, response, record, query, sequence, brokenByServer: false };
    response.once("close", () => {
      if (!response.writableFinished && !exchange.brokenByServer && !closing) record.aborted = true;
    });
    const delayMs = latencyMs + context.faults.takeDelay(record.key, record.model);
    if (delayMs > 0) setTimeout(() => route(input, exchange, malformedJson), delayMs).unref();
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
  const origin = `http://${urlHost(address.address)}:${address.port}`;
  let closed: Promise<void> | undefined;

  return {
    url: `${origin}/v1`,
    origin,
    port: address.port,
    requests,
    addFault: (fault) => context.faults.add(fault),
    clearFaults: () => context.faults.clear(),
    setKey: (key, limits) => limiter.setLimits(key, limits),
    setOrg: (org, limits) => limiter.setOrg(org, limits),
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
