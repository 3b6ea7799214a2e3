/**
 * Public types of the provider simulator: an HTTP server speaking the OpenAI, Anthropic Messages and
 * Gemini generateContent wire formats, with per-key rate limits, context windows and injectable faults,
 * used by tests, benchmarks and the demo.
 */
import type { SimKeyOptions, SimLimiterKind, SimOrgOptions } from "./limit-types.js";

/**
 * The wire format of a request, chosen by its route: `anthropic` for `/v1/messages[/…]`, `gemini` for
 * `/v1beta/…`, `openai` for everything else.
 */
export type SimWire = "openai" | "anthropic" | "gemini";

export type {
  SimKeyOptions,
  SimLimiterKind,
  SimLimits,
  SimOrgOptions,
  SimRateLimitHeaders,
} from "./limit-types.js";

/** Per model settings. */
export interface SimModelOptions {
  /**
   * Prompt tokens above this answer 400 (OpenAI `context_length_exceeded`, Anthropic "prompt is too long",
   * Gemini `INVALID_ARGUMENT`); also the `inputTokenLimit` of `GET /v1beta/models`.
   */
  contextWindow?: number;
}

/**
 * What a fault does to a matching request. Described here for the OpenAI wire; the Anthropic and Gemini
 * wires behave alike in their own format (see `anthropic-stream.ts` and `gemini-stream.ts`).
 *
 * - `status`: answer with `status`, `headers` and JSON `body` (default: an error body fitting the status, in
 *   the request's wire format: OpenAI error, Anthropic `{type:"error",error}`, or google.rpc.Status).
 * - `reset`: reset the TCP connection before any header (the client sees ECONNRESET / socket hang up).
 * - `hang`: accept the request and never answer, until the client aborts or the simulator closes.
 * - `cut`: stream: send `afterChunks` content chunks, then close the socket (no finish_reason, no `[DONE]`;
 *   Anthropic: no `message_stop`; Gemini: no `finishReason`); non-stream: send the headers and half the body,
 *   then close the socket.
 * - `stall`: stream: send `afterChunks` content chunks, then nothing more while keeping the socket open;
 *   non-stream: send the headers and half the body, then nothing more.
 * - `malformed`: stream: after `afterChunks` content chunks insert the event `data: {not json`, then continue
 *   normally; non-stream: a 200 whose body is `{not json`.
 * - `no-done`: stream: a normal stream without `data: [DONE]` (Anthropic: without `message_stop`; Gemini has
 *   no end marker, so its stream is unchanged), then end the response (or keep it open when `keepOpen` is
 *   true); non-stream: a normal answer.
 * - `stream-error`: stream: after `afterChunks` content chunks send an in-band error event (OpenAI
 *   `data: {"error":{…,"type":"server_error"}}`, Anthropic `event: error` `overloaded_error`, Gemini
 *   `data: {"error":{"code":503,…,"status":"UNAVAILABLE"}}`), then end; non-stream: a 500 `server_error`
 *   (Anthropic 529 `overloaded_error`, Gemini 503 `UNAVAILABLE`).
 * - `blocked` (Gemini only; ignored — never matched — by OpenAI and Anthropic requests): a 200 with
 *   `promptFeedback.blockReason: "SAFETY"` and no candidates (stream: one such event, then the end).
 * - `safety`: the text answer cut short by a content filter after `afterChunks` pieces: Gemini
 *   `finishReason: "SAFETY"` on the last chunk, OpenAI `finish_reason: "content_filter"`, Anthropic
 *   `stop_reason: "refusal"`. Tools and JSON formats are ignored.
 *
 * - `prefill-rejected`: a request whose conversation ends with an assistant turn (Gemini: a `model` turn),
 *   i.e. asks to continue an answer, is refused with 400 (OpenAI `invalid_prefill`, Anthropic and Gemini
 *   `invalid_request_error` / `INVALID_ARGUMENT`, "does not support assistant message prefill"), as newer
 *   Claude models do; other requests do not match. Acts before authentication, like `status`.
 * - `slow`: answer normally, but only after `delayMs` (a slow first token; stream and non-stream).
 *
 * `status`, `reset`, `hang` and `slow` apply to chat completions, messages, generateContent and
 * embeddings, the others to chat completions, messages and generateContent only.
 */
export type SimFaultKind =
  | "status"
  | "reset"
  | "hang"
  | "cut"
  | "stall"
  | "malformed"
  | "no-done"
  | "stream-error"
  | "blocked"
  | "safety"
  | "prefill-rejected"
  | "slow";

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
  /** Match requests for this model (the body's `model`, or the model of a Gemini path); absent matches any. */
  model?: string;
  /** Apply to the next N matching requests, then remove the fault; absent applies forever. */
  times?: number;
  /** `status` faults: the status to answer. Default 500. */
  status?: number;
  /** `status` faults: extra response headers. */
  headers?: Record<string, string>;
  /** `status` faults: the JSON body, sent as is; default is an error body fitting the status and the wire. */
  body?: unknown;
  /**
   * Stream faults: how many content chunks (or tool-call argument fragments) to send first; `safety`: how
   * many pieces the answer keeps. Default 2.
   */
  afterChunks?: number;
  /** `no-done` faults: keep the response open after the last event instead of ending it. */
  keepOpen?: boolean;
  /** `slow` faults: the delay before the answer, in ms. Default 1000. */
  delayMs?: number;
  /** Apply only for this long (simulator clock ms) after the fault was added, then remove it (a flapping upstream). */
  forMs?: number;
}

/** Options of {@link startSimulator}. */
export interface SimulatorOptions {
  /** Interface to listen on. Default `127.0.0.1`. */
  host?: string;
  /** Port to listen on. Default 0 (ephemeral). */
  port?: number;
  /** Known keys and their limits (or their organisation). */
  keys?: Record<string, SimKeyOptions>;
  /** Organisations whose limits their keys share (see {@link SimKeyOptions.org}). */
  orgs?: Record<string, SimOrgOptions>;
  /**
   * How per-minute limits are metered: `window` (fixed windows that reset to full) or `bucket` (token
   * buckets refilling continuously, as real providers meter). Default `window`.
   */
  limiter?: SimLimiterKind;
  /**
   * Bucket mode: the capacity of every bucket as a share of its limit, in (0, 1], unless a key or org sets
   * its own `burst`. Default 1.
   */
  burst?: number;
  /**
   * What a set of limits meters: `key` (all models of a key, or of an org, together) or `model` (each model
   * separately, as OpenAI and Gemini limit per model). Default `key`.
   */
  limitsPer?: "key" | "model";
  /**
   * Whether a rejected (429) request still takes a request from its per-minute and per-day request limits,
   * as OpenAI counts failed requests (a bucket does not go below empty). Tokens are never taken. Default false.
   */
  countRejected?: boolean;
  /**
   * Length of a day of the per-day limits (`rpd`, `tpd`) in ms; days start at `dayOrigin + n × dayMs`, so the
   * default days reset at UTC midnight. Benchmarks shorten it. Default 86400000.
   */
  dayMs?: number;
  /** Clock time at which a day starts. Default 0 (the Unix epoch: UTC midnight). */
  dayOrigin?: number;
  /**
   * When true, keys not in `keys` (or added by `setKey`) are refused: OpenAI 401 `invalid_api_key`,
   * Anthropic 401 `authentication_error`, Gemini 400 `API_KEY_INVALID` (403 `PERMISSION_DENIED` without a
   * key). Default false.
   */
  requireKnownKeys?: boolean;
  /** Models and their settings; also the list served by `GET /v1/models`. Unknown models are still answered. */
  models?: Record<string, SimModelOptions>;
  /**
   * The window of the per-minute limits in ms: a fixed window's length, or the time a bucket takes to refill
   * its whole limit (benchmarks scale it down). Default 60000.
   */
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
  /** Wrap every Gemini error body in a one-element array, as the real API sometimes does. Default false. */
  geminiWrapErrorsInArray?: boolean;
  /**
   * One answer text for every model and key, instead of the default `"Hello from <model> via key …"`: its
   * words (each with the whitespace before it) are the pieces, and `chunks` is ignored for text answers.
   * Either way, a request ending with an assistant turn (a prefill) that is a prefix of the text answer is
   * answered with the rest of it, as a model continuing its answer does.
   */
  answer?: string;
}

/** One request received by the simulator. */
export interface SimRequestRecord {
  /** The wire format, chosen by the route. */
  wire: SimWire;
  method: string;
  /** Path without the query string. */
  path: string;
  /**
   * API key from `Authorization: Bearer <key>` or `x-api-key` (OpenAI and Anthropic), or from
   * `x-goog-api-key` or `?key=` (Gemini); null when absent.
   */
  key: string | null;
  /** `model` of the JSON body (Gemini: the model of the path, e.g. `gemini-2.5-flash`), or null. */
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
  /**
   * Tokens the rate limiter charged this request (input plus output allowance, see `SimLimits`), once it
   * was admitted; null before, when rejected, and for requests that never reached the limiter.
   */
  charged: number | null;
}

/** A running simulator. */
export interface Simulator {
  /** Base URL for OpenAI clients, e.g. `http://127.0.0.1:PORT/v1`. */
  readonly url: string;
  /**
   * The server root, e.g. `http://127.0.0.1:PORT`: the base URL for Anthropic clients (`/v1/messages`) and
   * Gemini clients (`/v1beta/models/…`).
   */
  readonly origin: string;
  readonly port: number;
  /** Received requests, oldest first (at most `maxRecords`). The array is mutated in place. */
  readonly requests: SimRequestRecord[];
  addFault(fault: SimFault): void;
  clearFaults(): void;
  /** Adds a known key or replaces its options (the counts of limits that did not change are kept). */
  setKey(key: string, options: SimKeyOptions): void;
  /** Adds an organisation or replaces its limits (its counters are kept). */
  setOrg(org: string, options: SimOrgOptions): void;
  /** Clears faults, the request log and rate-limit counters. */
  reset(): void;
  /** Closes the server and destroys every open socket, hung requests included. */
  close(): Promise<void>;
}
