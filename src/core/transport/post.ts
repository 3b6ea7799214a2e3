import type { Dispatcher } from "undici";
import type { AttemptOptions, HeaderMap } from "../../types/index.js";
import { flatHeaders, networkErrorFrom } from "./upstream-errors.js";

/** Largest error body read (bigger ones are cut; they are only for messages). */
const maxErrorBodyBytes = 64 * 1024;
/** Body bytes queued for a slow reader before the upstream connection is paused. */
const highWaterBytes = 1024 * 1024;

/** Where to send one upstream request. */
export interface PostTarget {
  origin: string;
  /** Path and query. */
  path: string;
}

/** Where a pushed body goes: each chunk as it is read, then its end or its failure (once). */
export interface ChunkSink {
  chunk(chunk: Buffer): void;
  end(): void;
  error(error: unknown): void;
}

/** The body of an upstream response: iterate its chunks, read it whole, or have it pushed. */
export interface UpstreamBody extends AsyncIterable<Buffer> {
  /** The whole body (one chunk is returned as is, several are joined). */
  bytes(): Promise<Buffer>;
  /**
   * Pushes every chunk to `sink` as it is read (what was queued first), with no promise per chunk;
   * `pause` and `resume` hold the upstream connection for a slow consumer.
   */
  push(sink: ChunkSink): void;
  pause(): void;
  resume(): void;
  /** Stops reading: the request is aborted unless the body already ended. */
  cancel(reason?: unknown): void;
}

/** An upstream response with a status below 400. */
export interface UpstreamResponse {
  status: number;
  headers: HeaderMap;
  body: UpstreamBody;
}

/** Builds (and returns, to throw) the provider's error from an error status and its bounded body text. */
export type ErrorReader = (status: number, headers: HeaderMap, text: string) => unknown;

interface Pending<T> {
  resolve: (value: T) => void;
  reject: (error: unknown) => void;
}

/**
 * One upstream exchange over undici's `dispatch` (no `Readable`, no `AbortSignal`): the response
 * headers resolve `started`, body chunks queue until read (the connection is paused past a high
 * water mark), and the attempt's abort hook aborts the request through undici's controller.
 */
class Exchange implements Dispatcher.DispatchHandler, UpstreamBody {
  status = 0;
  headers: HeaderMap = {};
  readonly started: Promise<void>;
  #startedPending!: Pending<void>;
  #controller: Dispatcher.DispatchController | null = null;
  #chunks: Buffer[] = [];
  #queuedBytes = 0;
  #ended = false;
  #error: unknown = null;
  #waiter: Pending<IteratorResult<Buffer>> | null = null;
  #whole: Pending<Buffer> | null = null;
  #sink: ChunkSink | null = null;
  #cancelled = false;

  constructor(
    private readonly attempt: AttemptOptions,
    private readonly provider: string,
  ) {
    this.started = new Promise<void>((resolve, reject) => {
      this.#startedPending = { resolve, reject };
    });
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.#controller = controller;
    if (this.#cancelled || this.attempt.aborted) controller.abort(asError(this.attempt.reason));
  }

  onResponseStart(_controller: Dispatcher.DispatchController, status: number, headers: unknown): void {
    this.status = status;
    this.headers = flatHeaders(headers as Record<string, string | string[] | undefined>);
    this.#startedPending.resolve();
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.#cancelled) return;
    const sink = this.#sink;
    if (sink !== null) {
      sink.chunk(chunk);
      return;
    }
    const waiter = this.#waiter;
    if (waiter !== null && this.#chunks.length === 0) {
      this.#waiter = null;
      waiter.resolve({ value: chunk, done: false });
      return;
    }
    this.#chunks.push(chunk);
    this.#queuedBytes += chunk.length;
    if (this.#whole === null && this.#queuedBytes > highWaterBytes) controller.pause();
  }

  onResponseEnd(): void {
    this.#ended = true;
    if (this.#sink !== null && !this.#cancelled) {
      this.#sink.end();
      return;
    }
    const whole = this.#whole;
    if (whole !== null) {
      this.#whole = null;
      whole.resolve(this.#joined());
    }
    const waiter = this.#waiter;
    if (waiter !== null) {
      this.#waiter = null;
      waiter.resolve({ value: undefined, done: true });
    }
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    const failure = this.attempt.aborted ? this.attempt.reason : networkErrorFrom(error, null, this.provider);
    this.#error = failure;
    this.#ended = true;
    this.#startedPending.reject(failure);
    const whole = this.#whole;
    this.#whole = null;
    whole?.reject(failure);
    const waiter = this.#waiter;
    this.#waiter = null;
    waiter?.reject(failure);
    const sink = this.#sink;
    this.#sink = null;
    sink?.error(failure);
  }

  /** Aborts the request (before or after its headers). */
  abort(reason: unknown): void {
    if (this.#ended) return;
    this.#cancelled = true;
    this.#controller?.abort(asError(reason));
  }

  #joined(): Buffer {
    const chunks = this.#chunks;
    this.#chunks = [];
    this.#queuedBytes = 0;
    return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
  }

  push(sink: ChunkSink): void {
    this.#sink = sink;
    const queued = this.#chunks;
    this.#chunks = [];
    this.#queuedBytes = 0;
    for (const chunk of queued) sink.chunk(chunk);
    if (this.#error !== null) {
      this.#sink = null;
      sink.error(this.#error);
    } else if (this.#ended) sink.end();
    this.#controller?.resume();
  }

  pause(): void {
    this.#controller?.pause();
  }

  resume(): void {
    this.#controller?.resume();
  }

  bytes(): Promise<Buffer> {
    if (this.#error !== null) return Promise.reject(this.#error);
    if (this.#ended) return Promise.resolve(this.#joined());
    this.#controller?.resume();
    return new Promise<Buffer>((resolve, reject) => {
      this.#whole = { resolve, reject };
    });
  }

  /** At most `limit` bytes of the body as text; the rest is not read. */
  async text(limit: number): Promise<string> {
    const parts: Buffer[] = [];
    let size = 0;
    try {
      for await (const chunk of this) {
        parts.push(chunk);
        size += chunk.length;
        if (size >= limit) {
          this.cancel();
          break;
        }
      }
    } catch {
      // a body cut while reading an error: what arrived is enough for the message
    }
    return Buffer.concat(parts).subarray(0, limit).toString("utf8");
  }

  next(): Promise<IteratorResult<Buffer>> {
    const chunk = this.#chunks.shift();
    if (chunk !== undefined) {
      this.#queuedBytes -= chunk.length;
      if (this.#queuedBytes <= highWaterBytes / 2) this.#controller?.resume();
      return Promise.resolve({ value: chunk, done: false });
    }
    if (this.#error !== null) return Promise.reject(this.#error);
    if (this.#ended) return Promise.resolve({ value: undefined, done: true });
    return new Promise<IteratorResult<Buffer>>((resolve, reject) => {
      this.#waiter = { resolve, reject };
    });
  }

  return(): Promise<IteratorResult<Buffer>> {
    this.cancel();
    return Promise.resolve({ value: undefined, done: true });
  }

  cancel(reason?: unknown): void {
    if (!this.#ended) this.abort(reason ?? new Error("The upstream body was not read to its end."));
    this.#chunks = [];
    this.#queuedBytes = 0;
  }

  [Symbol.asyncIterator](): AsyncIterator<Buffer> {
    return this;
  }
}

function asError(reason: unknown): Error {
  return reason instanceof Error ? reason : new Error(String(reason ?? "aborted"));
}

/**
 * POSTs a body through the pooled dispatcher with the attempt's abort hook; resolves once the
 * response headers are in. Transport errors become `UpstreamNetworkError` (or the attempt's abort
 * reason); an error status reads at most 64 KB of body and throws what `onError` builds from it.
 */
export async function post(
  dispatcher: Dispatcher,
  target: PostTarget,
  headers: Record<string, string>,
  body: string | Buffer,
  attempt: AttemptOptions,
  provider: string,
  onError: ErrorReader,
): Promise<UpstreamResponse> {
  const exchange = new Exchange(attempt, provider);
  attempt.onAbort((reason) => exchange.abort(reason));
  try {
    dispatcher.dispatch(
      { origin: target.origin, path: target.path, method: "POST", headers, body },
      exchange,
    );
  } catch (error) {
    throw networkErrorFrom(error, attempt.aborted ? attempt : null, provider);
  }
  await exchange.started;
  if (exchange.status >= 400) {
    const text = await exchange.text(maxErrorBodyBytes);
    throw onError(exchange.status, exchange.headers, text);
  }
  return { status: exchange.status, headers: exchange.headers, body: exchange };
}
