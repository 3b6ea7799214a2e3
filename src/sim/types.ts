/**
 * Public types of the provider simulator: an OpenAI-compatible HTTP server with per-key rate limits,
 * context windows and injectable faults, used by tests, benchmarks and the demo.
 */

/** Per API key limits; an absent limit is unlimited. */
export interface SimKeyOptions {
  /** Requests per window (`windowMs`, one minute by default). */
  rpm?: number;
  /**
   * Tokens per window. A request costs its estimated prompt tokens plus its `max_completion_tokens`
   * (or `max_tokens`), or the configured `chunks` count when neither is set; embeddings cost their input tokens.
   */
  tpm?: number;
}

/** Per model settings. */
export interface SimModelOptions {
  /** Prompt tokens above this answer 400 `context_length_exceeded`. */
  contextWindow?: number;
}

/**
 * What a fault does to a matching request.
 *
 * - `status`: answer with `status`, `headers` and JSON `body` (default: an OpenAI error body fitting the status).
 * - `reset`: reset the TCP connection before any header (the client sees ECONNRESET / socket hang up).
 * - `hang`: accept the request and never answer, until the client aborts or the simulator closes.
 * - `cut`: stream: send `afterChunks` content chunks, then close the socket (no finish_reason, no `[DONE]`);
 *   non-stream: send the headers and half the body, then close the socket.
 * - `stall`: stream: send `afterChunks` content chunks, then nothing more while keeping the socket open;
 *   non-stream: send the headers and half the body, then nothing more.
 * - `malformed`: stream: after `afterChunks` content chunks insert the event `data: {not json`, then continue
 *   normally; non-stream: a 200 whose body is `{not json`.
 * - `no-done`: stream: a normal stream without `data: [DONE]`, then end the response (or keep it open when
 *   `keepOpen` is true); non-stream: a normal answer.
 * - `stream-error`: stream: after `afterChunks` content chunks send an in-band
 *   `data: {"error":{…,"type":"server_error"}}` event, then end; non-stream: a 500 `server_error`.
 *
 * `status`, `reset` and `hang` apply to chat completions and embeddings, the others to chat completions only.
 */
export type SimFaultKind =
  "status" | "reset" | "hang" | "cut" | "stall" | "malformed" | "no-done" | "stream-error";

/**
 * A fault injected into matching requests. Faults are checked in insertion order and the first match wins.
 *
 * `status`, `reset` and `hang` act before authentication, validation and rate limiting, and do not count
 * toward rate limits. The other kinds shape an otherwise successful answer: they act (and are consumed)
 * only once the request passed authentication, validation and rate limiting.
 */
export interface SimFault {
  kind: SimFaultKind;
  /** Match requests made with this API key; absent matches any key. */
  key?: string;
  /** Match requests for this model; absent matches any model. */
  model?: string;
  /** Apply to the next N matching requests, then remove the fault; absent applies forever. */
  times?: number;
  /** `status` faults: the status to answer. Default 500. */
  status?: number;
  /** `status` faults: extra response headers. */
  headers?: Record<string, string>;
  /** `status` faults: the JSON body; default is an OpenAI error body fitting the status. */
  body?: unknown;
  /** Stream faults: how many content chunks (or tool-call argument fragments) to send first. Default 2. */
  afterChunks?: number;
  /** `no-done` faults: keep the response open after the last event instead of ending it. */
  keepOpen?: boolean;
}

/** Options of {@link startSimulator}. */
export interface SimulatorOptions {
  /** Interface to listen on. Default `127.0.0.1`. */
  host?: string;
  /** Port to listen on. Default 0 (ephemeral). */
  port?: number;
  /** Known keys and their limits. */
  keys?: Record<string, SimKeyOptions>;
  /** When true, keys not in `keys` (or added by `setKey`) get 401 `invalid_api_key`. Default false. */
  requireKnownKeys?: boolean;
  /** Models and their settings; also the list served by `GET /v1/models`. Unknown models are still answered. */
  models?: Record<string, SimModelOptions>;
  /** Rate-limit window length in ms. Default 60000. */
  windowMs?: number;
  /** Delay before any response (after the request body is read). Default 0. */
  latencyMs?: number;
  /** Delay between stream events. Default 0 (the whole stream is written at once). */
  chunkDelayMs?: number;
  /** Number of content chunks in an answer (its completion tokens). Default 5. */
  chunks?: number;
  /** Time source for rate-limit windows, `created` and `at`. Default `Date.now`. */
  clock?: () => number;
  /** Most request records kept in `requests`; older ones are dropped. Default 10000. */
  maxRecords?: number;
}

/** One request received by the simulator. */
export interface SimRequestRecord {
  method: string;
  /** Path without the query string. */
  path: string;
  /** API key from `Authorization: Bearer <key>` or `x-api-key`, or null. */
  key: string | null;
  /** `model` of the JSON body, or null. */
  model: string | null;
  headers: Record<string, string | string[] | undefined>;
  /** The parsed JSON body, or null (no body or malformed JSON). */
  body: unknown;
  /** Status answered; 0 while unanswered and for `reset`/`hang` faults. */
  status: number;
  /** Set to true once the client closed the connection before the response finished. */
  aborted: boolean;
  /** Clock time when the request body was read. */
  at: number;
}

/** A running simulator. */
export interface Simulator {
  /** Base URL for OpenAI clients, e.g. `http://127.0.0.1:PORT/v1`. */
  readonly url: string;
  readonly port: number;
  /** Received requests, oldest first (at most `maxRecords`). The array is mutated in place. */
  readonly requests: SimRequestRecord[];
  addFault(fault: SimFault): void;
  clearFaults(): void;
  /** Adds a known key or replaces its limits (its current window counters are kept). */
  setKey(key: string, options: SimKeyOptions): void;
  /** Clears faults, the request log and rate-limit counters. */
  reset(): void;
  /** Closes the server and destroys every open socket, hung requests included. */
  close(): Promise<void>;
}
