import type { Dispatcher } from "undici";
import { UpstreamNetworkError } from "../../errors/index.js";
import {
  fitToolCallIds,
  framedAsObject,
  openAIRequestBody,
  scanOpenAIStreamData,
  scanUsage,
  fitTranslatedRequest,
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
  HeaderMap,
  Target,
} from "../../types/index.js";
import { readJsonBody } from "./http-post.js";
import { serializeJson } from "./json-body.js";
import { openAIBatchSource } from "./native-stream.js";
import { post, type PostTarget, type UpstreamResponse } from "./post.js";
import { httpErrorFrom } from "./upstream-errors.js";

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

type Endpoint = "chat/completions" | "embeddings";

/**
 * A target speaking the OpenAI wire format over undici's pooled keep-alive connections. The
 * caller's body is forwarded as it came with only `model` spliced in (see `openAIRequestBody`); a
 * non-streaming answer keeps its raw bytes and a stream its read-by-read bytes, so the gateway can
 * forward them unchanged while reading only what it needs (framing, usage, finish).
 */
export class OpenAIHttpTarget implements Target {
  readonly provider: string;
  readonly #origin: string;
  readonly #basePath: string;
  readonly #headers: Record<string, string>;
  readonly #streamHeaders: Record<string, string>;
  readonly #options: OpenAIHttpTargetOptions;
  /** Paths by endpoint and model (Azure paths depend on the model), built once. */
  readonly #paths = new Map<string, string>();

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
    this.#headers = {
      "content-type": "application/json",
      ...options.headers,
      ...auth,
      accept: "application/json",
    };
    this.#streamHeaders = { ...this.#headers, accept: "text/event-stream" };
  }

  #target(endpoint: Endpoint, model: string): PostTarget {
    const key = `${endpoint} ${model}`;
    let path = this.#paths.get(key);
    if (path === undefined) {
      const azure = this.#options.azure;
      const deployment = encodeURIComponent(azure?.deployments[model] ?? model);
      path = azure
        ? `${this.#basePath}/openai/deployments/${deployment}/${endpoint}?api-version=${encodeURIComponent(azure.apiVersion)}`
        : `${this.#basePath}/${endpoint}`;
      if (this.#paths.size < 1000) this.#paths.set(key, path);
    }
    return { origin: this.#origin, path };
  }

  #fail = (status: number, headers: HeaderMap, text: string): unknown =>
    httpErrorFrom(status, headers, text, this.provider);

  /** A chat body: tool call ids fitted; a translated caller's request fitted to the vendor (`fitTranslatedRequest`). */
  #chatBody(request: ChatRequest, options: AttemptOptions): ChatRequest {
    const dialect = options.source?.dialect;
    const translated = dialect !== undefined && dialect !== "openai";
    return fitToolCallIds(translated ? fitTranslatedRequest(request, this.#options.preset.label) : request);
  }

  #send(
    endpoint: Endpoint,
    request: ChatRequest | EmbeddingsRequest,
    options: AttemptOptions,
    stream: boolean,
  ): Promise<UpstreamResponse> {
    const base = stream ? this.#streamHeaders : this.#headers;
    const headers = options.headers ? { ...base, ...options.headers } : base;
    const fitted =
      endpoint === "chat/completions" ? this.#chatBody(request as ChatRequest, options) : request;
    let body: string;
    try {
      body = openAIRequestBody(fitted, options.source);
    } catch {
      // Cannot be serialised (too deep, circular, a BigInt): the caller's UnsendableRequestError.
      body = serializeJson(fitted, this.provider);
    }
    return post(
      this.#options.dispatcher,
      this.#target(endpoint, request.model),
      headers,
      body,
      options,
      this.provider,
      this.#fail,
    );
  }

  async chat(request: ChatRequest, options: AttemptOptions): Promise<ChatResult> {
    const response = await this.#send("chat/completions", request, options, false);
    // Forwarded as bytes: only the framing is checked and `usage` read; the body parses on first use.
    const raw = await response.body.bytes();
    if (!framedAsObject(raw)) {
      throw new UpstreamNetworkError(
        `${this.provider}: answered ${response.status} with a body that is not a JSON object`,
        "EBADBODY",
        undefined,
        this.provider,
      );
    }
    let body: ChatCompletionBody | undefined;
    return {
      meta: { status: response.status, headers: response.headers },
      raw,
      usage: scanUsage(raw),
      get body(): ChatCompletionBody {
        body ??= JSON.parse(raw.toString("utf8")) as ChatCompletionBody;
        return body;
      },
    };
  }

  async chatStream(request: ChatRequest, options: AttemptOptions): Promise<ChatStreamResult> {
    const response = await this.#send("chat/completions", request, options, true);
    return {
      meta: { status: response.status, headers: response.headers },
      source: openAIBatchSource(response.body, scanOpenAIStreamData),
    };
  }

  async embeddings(request: EmbeddingsRequest, options: AttemptOptions): Promise<EmbeddingsResult> {
    const response = await this.#send("embeddings", request, options, false);
    const json = await readJsonBody(response, this.provider);
    return {
      meta: { status: response.status, headers: response.headers },
      body: json as EmbeddingsBody,
    };
  }
}
