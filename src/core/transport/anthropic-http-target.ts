import type { Dispatcher } from "undici";
import { UnsupportedRequestError } from "../../errors/index.js";
import {
  createAnthropicStreamMapper,
  fromAnthropicMessage,
  readAnthropicError,
  toAnthropicRequest,
} from "../../providers/anthropic/index.js";
import type {
  AttemptOptions,
  ChatRequest,
  ChatResult,
  ChatStreamResult,
  EmbeddingsResult,
  HeaderMap,
  RequestSource,
  Target,
} from "../../types/index.js";
import {
  passThroughBody,
  passThroughChat,
  passThroughHeaders,
  passThroughStream,
  type PassThroughContext,
} from "./anthropic-passthrough.js";
import { mapAnswer, postJson, readJsonBody } from "./http-post.js";
import type { UpstreamResponse } from "./post.js";
import { httpErrorFrom } from "./upstream-errors.js";
import { mappedBatchSource } from "./native-stream.js";
import { mapOrUnsupported } from "./unsupported.js";

/** Where and how to call one Anthropic account. */
export interface AnthropicTargetOptions {
  provider: string;
  apiKey: string;
  /** Default `https://api.anthropic.com` (the `/v1` suffix is optional). */
  baseUrl?: string | null;
  /** Default `2023-06-01`. */
  version?: string;
  headers?: Readonly<Record<string, string>>;
  dispatcher: Dispatcher;
  /**
   * Pass-through only: when the upstream refuses a beta of the caller's `anthropic-beta` header
   * (a 400 naming it), send again without it. Default false (the caller gets the 400).
   */
  dropUnsupportedBetas?: boolean;
}

/**
 * A target speaking Anthropic's Messages API: requests and answers are translated by the pure
 * mappers in `providers/anthropic`, streams through one incremental SSE decoder. A caller that
 * spoke Anthropic itself (`source.dialect === "anthropic"`) is passed through instead: its body
 * with only `model` spliced in, its `anthropic-version` / `anthropic-beta`, and the answer's bytes
 * (see `anthropic-passthrough.ts`).
 */
export class AnthropicHttpTarget implements Target {
  readonly provider: string;
  readonly passThrough = ["anthropic"] as const;
  readonly #url: URL;
  readonly #headers: Record<string, string>;
  readonly #dispatcher: Dispatcher;
  readonly #passing: PassThroughContext;

  constructor(options: AnthropicTargetOptions) {
    this.provider = options.provider;
    const base = (options.baseUrl ?? "https://api.anthropic.com").replace(/\/+$/, "").replace(/\/v1$/, "");
    this.#url = new URL(`${base}/v1/messages`);
    this.#headers = {
      "content-type": "application/json",
      "anthropic-version": options.version ?? "2023-06-01",
      ...options.headers,
      "x-api-key": options.apiKey,
    };
    this.#dispatcher = options.dispatcher;
    this.#passing = {
      provider: this.provider,
      dispatcher: options.dispatcher,
      origin: this.#url.origin,
      path: this.#url.pathname,
      headers: this.#headers,
      fail: this.#fail,
      dropBetas: options.dropUnsupportedBetas === true ? new Set() : null,
    };
  }

  #post(
    url: URL,
    headers: Record<string, string>,
    body: unknown,
    attempt: AttemptOptions,
  ): Promise<UpstreamResponse> {
    return postJson(this.#dispatcher, url, headers, body, attempt, this.provider, this.#fail);
  }

  #fail = (status: number, headers: HeaderMap, text: string): unknown =>
    httpErrorFrom(status, headers, text, this.provider, readAnthropicError);

  async chat(request: ChatRequest, options: AttemptOptions): Promise<ChatResult> {
    if (options.source?.dialect === "anthropic")
      return passThroughChat(this.#passing, options.source, request.model, options);
    const body = mapOrUnsupported(this.provider, () =>
      toAnthropicRequest({ ...request, stream: false }, request.model),
    );
    const response = await this.#post(this.#url, this.#headers, body, options);
    const json = await readJsonBody(response, this.provider);
    return {
      meta: { status: response.status, headers: response.headers },
      body: mapAnswer(this.provider, () => fromAnthropicMessage(json, Date.now())),
    };
  }

  async chatStream(request: ChatRequest, options: AttemptOptions): Promise<ChatStreamResult> {
    if (options.source?.dialect === "anthropic")
      return passThroughStream(this.#passing, options.source, request.model, options);
    const body = mapOrUnsupported(this.provider, () =>
      toAnthropicRequest({ ...request, stream: true }, request.model),
    );
    const headers = { ...this.#headers, accept: "text/event-stream" };
    const response = await this.#post(this.#url, headers, body, options);
    const map = createAnthropicStreamMapper({ now: Date.now() });
    return {
      meta: { status: response.status, headers: response.headers },
      source: mappedBatchSource(response.body, map),
    };
  }

  /**
   * Anthropic's own `POST /v1/messages/count_tokens` for an Anthropic caller's request (its body
   * with only `model` spliced in, its `anthropic-version` / `anthropic-beta`): the answer's JSON
   * (`{input_tokens}`), or null when the upstream did not answer 200 with a JSON object (the
   * caller then estimates). Outside the engine's accounting: counting is free and separately
   * limited upstream.
   */
  async countTokens(source: RequestSource, model: string, signal: AbortSignal): Promise<object | null> {
    const path = `${this.#url.pathname}/count_tokens`;
    const headers = passThroughHeaders(this.#passing, source, false);
    try {
      const response = await this.#dispatcher.request({
        origin: this.#url.origin,
        path,
        method: "POST",
        headers,
        body: passThroughBody(source, model),
        signal,
      });
      const text = await response.body.text();
      if (response.statusCode !== 200) return null;
      const json: unknown = JSON.parse(text);
      return typeof json === "object" && json !== null && !Array.isArray(json) ? json : null;
    } catch {
      return null;
    }
  }

  async embeddings(): Promise<EmbeddingsResult> {
    throw new UnsupportedRequestError(`${this.provider}: Anthropic does not offer embeddings.`, {
      param: "model",
      provider: this.provider,
    });
  }
}
