import type { HeaderMap } from "./headers.js";
import type { ChatCompletionBody, ChatRequest, EmbeddingsBody, EmbeddingsRequest, Usage } from "./openai.js";
import type { StreamBatch } from "./stream.js";

/**
 * The API a caller spoke: OpenAI chat completions (`openai`, the default), Anthropic Messages
 * (`anthropic`) or OpenAI Responses (`responses`).
 */
export type RequestDialect = "openai" | "anthropic" | "responses";

/**
 * The caller's request as it arrived (the gateway has it): the parsed body and its JSON text, so
 * a target that speaks the caller's dialect can forward the text with only `model` spliced in.
 */
export interface RequestSource {
  readonly body: object;
  readonly text: string;
  /** The caller's dialect; absent = `openai` (the engine's request is then the body itself). */
  readonly dialect?: RequestDialect | undefined;
  /**
   * Headers of the caller's dialect that only a target speaking that dialect forwards (Anthropic:
   * `anthropic-version`, `anthropic-beta`), lower-case names.
   */
  readonly headers?: Readonly<Record<string, string>> | undefined;
}

/** Per-attempt options the engine hands to a target. */
export interface AttemptOptions {
  /**
   * Aborted on timeout, failover, caller abort or caller `break`; the target must stop the upstream
   * request. Made on first use: a target that can, should use `onAbort` instead.
   */
  readonly signal: AbortSignal;
  /** Calls `listener` once when the attempt is aborted (at once when it already is). */
  onAbort(listener: (reason: unknown) => void): void;
  /** Whether the attempt was aborted, and why. */
  readonly aborted: boolean;
  readonly reason: unknown;
  /** Extra request headers from the caller. */
  readonly headers?: Readonly<Record<string, string>> | undefined;
  /** The caller's request as it arrived, when the engine's request was derived from it. */
  readonly source?: RequestSource | undefined;
}

/** Status and headers of an upstream response. */
export interface UpstreamMeta {
  status: number;
  headers: HeaderMap;
}

/** A complete non-streaming answer. */
export interface ChatResult {
  meta: UpstreamMeta;
  body: ChatCompletionBody;
  /** The body as received, when the target has it (lets the gateway forward bytes unchanged). */
  raw?: Uint8Array;
  /** The answer's usage, when the target read it without parsing the body. */
  usage?: Usage | null;
}

/** Where a pushed stream goes: each read's events, then the end or the failure (once). */
export interface BatchSink {
  batch(events: StreamBatch): void;
  end(): void;
  error(error: unknown): void;
}

/**
 * A stream that pushes its batches as the connection reads them (no promise per read): started
 * once with a sink; `pause` / `resume` hold the upstream for a slow consumer; `cancel` stops it.
 */
export interface BatchSource {
  start(sink: BatchSink): void;
  pause(): void;
  resume(): void;
  cancel(reason?: unknown): void;
}

/**
 * A streaming answer: headers have arrived, events follow in batches (one per network read, never
 * empty) — pulled from `events`, or pushed by `source` when the target can (its own connections).
 */
export type ChatStreamResult =
  | { meta: UpstreamMeta; events: AsyncIterable<StreamBatch>; source?: undefined }
  | { meta: UpstreamMeta; source: BatchSource; events?: undefined };

/** An embeddings answer. */
export interface EmbeddingsResult {
  meta: UpstreamMeta;
  body: EmbeddingsBody;
}

/**
 * How one deployment reaches its upstream. Implementations wrap an OpenAI SDK client (library) or
 * speak HTTP through undici with a provider's mappers (gateway). On failure they throw
 * `UpstreamHttpError` (the upstream answered with an error status), `UpstreamNetworkError`
 * (no usable response) or an abort error when `signal` fired.
 */
export interface Target {
  /** A label for logs and stats (a host name or provider id); never a secret. */
  readonly provider: string;
  /**
   * Inbound dialects this target forwards as the caller sent them (`RequestSource.dialect`): its
   * answers' `raw` bytes (`ChatResult.raw`, stream batches' `raw`) are then in that dialect, not
   * OpenAI chat. Absent: none but OpenAI chat (an OpenAI-compatible target's bytes).
   */
  readonly passThrough?: readonly RequestDialect[];
  chat(request: ChatRequest, options: AttemptOptions): Promise<ChatResult>;
  chatStream(request: ChatRequest, options: AttemptOptions): Promise<ChatStreamResult>;
  embeddings(request: EmbeddingsRequest, options: AttemptOptions): Promise<EmbeddingsResult>;
  /** Releases connections the target owns (targets sharing a gateway's dispatcher have none). */
  close?(): Promise<void>;
}
