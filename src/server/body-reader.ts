import type { IncomingMessage } from "node:http";
import { performance } from "node:perf_hooks";
import { GatewayHttpError } from "./http-error.js";

/** Bounds on reading one request body. */
export interface BodyReadLimits {
  /** Largest body, in bytes (larger: 413). */
  maxBytes: number;
  /** Longest pause with no body bytes, in ms (then 408); 0 = none. */
  idleTimeoutMs: number;
  /** Longest time to receive the whole body, in ms (then 408); 0 = none. */
  readTimeoutMs: number;
}

/** Called once per body: the parsed value, or why there is none. */
export type BodyDone = (error: Error | null, value?: unknown) => void;

/** One body being read. */
interface PendingBody<C> {
  readonly stream: IncomingMessage;
  readonly done: BodyDone;
  /** What `read` was given for the parser (the Fastify request). */
  readonly context: C;
  readonly startedAt: number;
  chunks: Buffer[];
  bytes: number;
  /** `bytes` at the last sweep, and since when it has not moved. */
  sweptBytes: number;
  idleSince: number;
}

function tooLarge(): Error {
  return Object.assign(new Error("Request body is too large"), {
    code: "FST_ERR_CTP_BODY_TOO_LARGE",
    statusCode: 413,
  });
}

function clientClosed(): Error {
  return new GatewayHttpError(400, "The client closed the connection before the request body was complete.", {
    code: "client_closed_request",
    closeConnection: true,
  });
}

/** Where a body being read is found from its stream (a property, not a side table keyed by stream). */
const pendingKey = Symbol("llmux.pendingBody");

type WithPending<C> = IncomingMessage & { [pendingKey]?: PendingBody<C> | undefined };

/**
 * Reads request bodies into memory, bounded in size and in time: one shared sweep (not a timer
 * per request) answers 408 to a body that stops arriving for `idleTimeoutMs` or is not complete
 * within `readTimeoutMs`. A body that ends — completed, refused, timed out or cut by the client —
 * drops its buffered chunks and its listeners at once, so nothing keeps a partial body alive. The
 * listeners are shared functions: no closure per request.
 */
export class BodyReader<C = undefined> {
  readonly #limits: BodyReadLimits;
  readonly #parse: (body: Buffer, context: C) => unknown;
  readonly #open = new Set<PendingBody<C>>();
  readonly #sweepEveryMs: number;
  #timer: NodeJS.Timeout | null = null;
  // Listeners shared by every request (the emitter passes the stream as `this`): no closure per body.
  readonly #onData: (this: IncomingMessage, chunk: Buffer) => void;
  readonly #onEnd: (this: IncomingMessage) => void;
  readonly #onError: (this: IncomingMessage) => void;
  readonly #onClose: (this: IncomingMessage) => void;

  constructor(limits: BodyReadLimits, parse: (body: Buffer, context: C) => unknown) {
    this.#limits = limits;
    this.#parse = parse;
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const reader = this;
    this.#onData = function (chunk) {
      reader.#data(this, chunk);
    };
    this.#onEnd = function () {
      reader.#end(this, null);
    };
    this.#onError = function () {
      reader.#end(this, clientClosed());
    };
    this.#onClose = function () {
      reader.#end(this, clientClosed());
    };
    const timeouts = [limits.idleTimeoutMs, limits.readTimeoutMs].filter((ms) => ms > 0);
    this.#sweepEveryMs =
      timeouts.length === 0 ? 0 : Math.min(1000, Math.max(10, Math.floor(Math.min(...timeouts) / 4)));
  }

  /** Bodies being read now. */
  get pending(): number {
    return this.#open.size;
  }

  /** Bytes held by the bodies being read now. */
  get pendingBytes(): number {
    let bytes = 0;
    for (const pending of this.#open) bytes += pending.bytes;
    return bytes;
  }

  /** Reads `stream` to its end, then hands the parsed body (or the error) to `done`; `context` goes to the parser. */
  read(stream: IncomingMessage, done: BodyDone, context: C): void {
    const declared = Number(stream.headers["content-length"]);
    if (declared > this.#limits.maxBytes) {
      done(tooLarge());
      return;
    }
    const now = performance.now();
    const pending: PendingBody<C> = {
      stream,
      done,
      context,
      startedAt: now,
      chunks: [],
      bytes: 0,
      sweptBytes: 0,
      idleSince: now,
    };
    this.#open.add(pending);
    (stream as WithPending<C>)[pendingKey] = pending;
    if (this.#timer === null && this.#sweepEveryMs > 0) {
      this.#timer = setInterval(this.#sweep, this.#sweepEveryMs);
      this.#timer.unref();
    }
    stream.on("data", this.#onData);
    stream.on("end", this.#onEnd);
    stream.on("error", this.#onError);
    stream.on("close", this.#onClose);
  }

  /** Stops the sweep (the server is closing). */
  stop(): void {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
  }

  #settle(pending: PendingBody<C>, error: Error | null): void {
    const { stream } = pending;
    stream.off("data", this.#onData);
    stream.off("end", this.#onEnd);
    stream.off("error", this.#onError);
    stream.off("close", this.#onClose);
    this.#open.delete(pending);
    (stream as WithPending<C>)[pendingKey] = undefined;
    const chunks = pending.chunks;
    pending.chunks = [];
    if (error) {
      pending.done(error);
      return;
    }
    let value: unknown;
    try {
      value = this.#parse(
        chunks.length === 1 && chunks[0] ? chunks[0] : Buffer.concat(chunks, pending.bytes),
        pending.context,
      );
    } catch (parseError) {
      pending.done(parseError as Error);
      return;
    }
    pending.done(null, value);
  }

  #data(stream: IncomingMessage, chunk: Buffer): void {
    const pending = (stream as WithPending<C>)[pendingKey];
    if (!pending) return;
    pending.bytes += chunk.length;
    if (pending.bytes > this.#limits.maxBytes) this.#settle(pending, tooLarge());
    else pending.chunks.push(chunk);
  }

  #end(stream: IncomingMessage, error: Error | null): void {
    const pending = (stream as WithPending<C>)[pendingKey];
    if (pending) this.#settle(pending, error);
  }

  readonly #sweep = (): void => {
    if (this.#open.size === 0) {
      this.stop();
      return;
    }
    const now = performance.now();
    const { idleTimeoutMs, readTimeoutMs } = this.#limits;
    for (const pending of this.#open) {
      if (pending.bytes !== pending.sweptBytes) {
        pending.sweptBytes = pending.bytes;
        pending.idleSince = now;
      } else if (idleTimeoutMs > 0 && now - pending.idleSince >= idleTimeoutMs) {
        this.#settle(
          pending,
          new GatewayHttpError(
            408,
            `The request body stopped arriving: no bytes for ${idleTimeoutMs} ms (server.body_timeout_ms).`,
            { code: "request_timeout", closeConnection: true },
          ),
        );
        continue;
      }
      if (readTimeoutMs > 0 && now - pending.startedAt >= readTimeoutMs) {
        this.#settle(
          pending,
          new GatewayHttpError(
            408,
            `The request body did not arrive within ${readTimeoutMs} ms (server.request_read_timeout_ms).`,
            { code: "request_timeout", closeConnection: true },
          ),
        );
      }
    }
  };
}
