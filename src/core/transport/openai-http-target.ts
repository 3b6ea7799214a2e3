import type { Dispatcher } from "undici";
import { UpstreamNetworkError } from "../../errors/index.js";
import {
  fitToolCallIds,
  framedAsObject,
  mapOpenAIStream,
  scanOpenAIStreamData,
  scanUsage,
} from "../../providers/openai/index.js";
import type { ProviderPreset } from "../../providers/presets.js";
import type {
  AttemptOptions,
  ChatCompletionBody,
  ChatRequest,
  ChatResult,
  ChatStreamResult,
  EmbeddingsBody,
  EmbeddingsRequest,
  EmbeddingsResult,
  Target,
} from "../../types/index.js";
import { decodeSse } from "../../util/index.js";
import { serializeJson } from "./json-body.js";
import { flatHeaders, httpErrorFrom, networkErrorFrom, readLimitedText } from "./upstream-errors.js";

/** Where and how to call one OpenAI-compatible provider instance. */
export interface OpenAIHttpTargetOptions {
  /** Provider instance id, for logs and errors (never secret). */
  provider: string;
  /** Base URL up to and including `/v1` (Azure: the resource URL). */
  baseUrl: string;
  apiKey: string;
  preset: ProviderPreset;
  /** Extra headers for every request. */
  headers?: Readonly<Record<string, string>>;
  /** Azure OpenAI: api-version and model → deployment names. */
  azure?: { apiVersion: string; deployments: Readonly<Record<string, string>> } | null;
  /** The pooled keep-alive dispatcher (one per gateway). */
  dispatcher: Dispatcher;
}

/**
 * A target speaking the OpenAI wire format over undici's pooled keep-alive connections. Bodies
 * pass through unchanged except `model`; a non-streaming answer keeps its raw bytes so the gateway
 * can forward them as they came.
 */
export class OpenAIHttpTarget implements Target {
  readonly provider: string;
  readonly #origin: string;
  readonly #basePath: string;
  readonly #headers: Record<string, string>;
  readonly #options: OpenAIHttpTargetOptions;

  constructor(options: OpenAIHttpTargetOptions) {
    this.#options = options;
    this.provider = options.provider;
    const url = new URL(options.baseUrl.replace(/\/+$/, ""));
    this.#origin = url.origin;
    this.#basePath = url.pathname.replace(/\/+$/, "");
    const auth: Record<string, string> =
      options.apiKey === ""
        ? {}
        : options.preset.auth === "api-key"
          ? { "api-key": options.apiKey }
          : { authorization: `Bearer ${options.apiKey}` };
    this.#headers = { "content-type": "application/json", ...options.headers, ...auth };
  }

  #path(endpoint: "chat/completions" | "embeddings", model: string): string {
    const azure = this.#options.azure;
    if (!azure) return `${this.#basePath}/${endpoint}`;
    const deployment = encodeURIComponent(azure.deployments[model] ?? model);
    return `${this.#basePath}/openai/deployments/${deployment}/${endpoint}?api-version=${encodeURIComponent(azure.apiVersion)}`;
  }

  async #post(
    path: string,
    body: unknown,
    options: AttemptOptions,
    accept: string,
  ): Promise<Dispatcher.ResponseData> {
    const headers = options.headers
      ? { ...this.#headers, ...options.headers, accept }
      : { ...this.#headers, accept };
    // Serialised before the connection sees it: a body that cannot be is the caller's 400.
    const payload = serializeJson(body, this.provider);
    let response: Dispatcher.ResponseData;
    try {
      response = await this.#options.dispatcher.request({
        origin: this.#origin,
        path,
        method: "POST",
        headers,
        body: payload,
        signal: options.signal,
      });
    } catch (error) {
      throw networkErrorFrom(error, options.signal, this.provider);
    }
    if (response.statusCode >= 400) {
      const text = await readLimitedText(response.body).catch(() => "");
      throw httpErrorFrom(response.statusCode, flatHeaders(response.headers), text, this.provider);
    }
    return response;
  }

  async #readJson(
    response: Dispatcher.ResponseData,
    signal: AbortSignal,
  ): Promise<{ raw: Uint8Array; json: unknown }> {
    let raw: Buffer;
    try {
      raw = Buffer.from(await response.body.arrayBuffer());
    } catch (error) {
      throw networkErrorFrom(error, signal, this.provider);
    }
    try {
      return { raw, json: JSON.parse(raw.toString("utf8")) as unknown };
    } catch {
      throw new UpstreamNetworkError(
        `${this.provider}: answered ${response.statusCode} with a body that is not JSON`,
        "EBADBODY",
        undefined,
        this.provider,
      );
    }
  }

  async chat(request: ChatRequest, options: AttemptOptions): Promise<ChatResult> {
    const response = await this.#post(
      this.#path("chat/completions", request.model),
      fitToolCallIds(request),
      options,
      "application/json",
    );
    // Forwarded as bytes: only the framing is checked and `usage` read; the body parses on first use.
    let raw: Buffer;
    try {
      raw = Buffer.from(await response.body.arrayBuffer());
    } catch (error) {
      throw networkErrorFrom(error, options.signal, this.provider);
    }
    if (!framedAsObject(raw)) {
      throw new UpstreamNetworkError(
        `${this.provider}: answered ${response.statusCode} with a body that is not a JSON object`,
        "EBADBODY",
        undefined,
        this.provider,
      );
    }
    let body: ChatCompletionBody | undefined;
    return {
      meta: { status: response.statusCode, headers: flatHeaders(response.headers) },
      raw,
      usage: scanUsage(raw),
      get body(): ChatCompletionBody {
        body ??= JSON.parse(raw.toString("utf8")) as ChatCompletionBody;
        return body;
      },
    };
  }

  async chatStream(request: ChatRequest, options: AttemptOptions): Promise<ChatStreamResult> {
    const response = await this.#post(
      this.#path("chat/completions", request.model),
      fitToolCallIds(request),
      options,
      "text/event-stream",
    );
    return {
      meta: { status: response.statusCode, headers: flatHeaders(response.headers) },
      events: mapOpenAIStream(decodeSse(response.body), scanOpenAIStreamData),
    };
  }

  async embeddings(request: EmbeddingsRequest, options: AttemptOptions): Promise<EmbeddingsResult> {
    const response = await this.#post(
      this.#path("embeddings", request.model),
      request,
      options,
      "application/json",
    );
    const { json } = await this.#readJson(response, options.signal);
    return {
      meta: { status: response.statusCode, headers: flatHeaders(response.headers) },
      body: json as EmbeddingsBody,
    };
  }
}
