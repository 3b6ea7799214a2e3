import { randomUUID } from "node:crypto";
import type { Dispatcher } from "undici";
import { UnsupportedRequestError } from "../../errors/index.js";
import {
  createGeminiStreamMapper,
  fromGeminiResponse,
  geminiPath,
  imageUrlsToFetch,
  readGeminiError,
  toGeminiRequest,
} from "../../providers/gemini/index.js";
import type {
  AttemptOptions,
  ChatRequest,
  ChatResult,
  ChatStreamResult,
  EmbeddingsBody,
  EmbeddingsRequest,
  EmbeddingsResult,
  HeaderMap,
  Target,
} from "../../types/index.js";
import { fetchImages } from "./fetch-images.js";
import { mapAnswer, postJson, readJsonBody } from "./http-post.js";
import type { UpstreamResponse } from "./post.js";
import { httpErrorFrom } from "./upstream-errors.js";
import { mappedBatchSource } from "./native-stream.js";
import { mapOrUnsupported } from "./unsupported.js";

/** Where and how to call one Gemini API key. */
export interface GeminiTargetOptions {
  provider: string;
  apiKey: string;
  /** Default `https://generativelanguage.googleapis.com`. */
  baseUrl?: string | null;
  headers?: Readonly<Record<string, string>>;
  dispatcher: Dispatcher;
}

const newId = (): string => `call_${randomUUID().replaceAll("-", "").slice(0, 24)}`;

/**
 * A target speaking Gemini's `generateContent` / `streamGenerateContent?alt=sse`, translated by the
 * pure mappers in `providers/gemini`. https images are downloaded (bounded) and inlined, since
 * Gemini only takes its own file URIs.
 */
export class GeminiHttpTarget implements Target {
  readonly provider: string;
  readonly #base: string;
  readonly #headers: Record<string, string>;
  readonly #dispatcher: Dispatcher;

  constructor(options: GeminiTargetOptions) {
    this.provider = options.provider;
    this.#base = (options.baseUrl ?? "https://generativelanguage.googleapis.com")
      .replace(/\/+$/, "")
      .replace(/\/v1beta$/, "");
    this.#headers = {
      "content-type": "application/json",
      ...options.headers,
      "x-goog-api-key": options.apiKey,
    };
    this.#dispatcher = options.dispatcher;
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
    httpErrorFrom(status, headers, text, this.provider, readGeminiError);

  async #body(request: ChatRequest, attempt: AttemptOptions): Promise<Record<string, unknown>> {
    const urls = mapOrUnsupported(this.provider, () => imageUrlsToFetch(request));
    // A linked image that cannot be fetched is the caller's error (`UnsendableRequestError`), not Gemini's.
    const images = urls.length === 0 ? undefined : await fetchImages(this.#dispatcher, urls, attempt.signal);
    return mapOrUnsupported(this.provider, () => toGeminiRequest(request, images));
  }

  async chat(request: ChatRequest, options: AttemptOptions): Promise<ChatResult> {
    const url = new URL(`${this.#base}${geminiPath(request.model, false)}`);
    const body = await this.#body(request, options);
    const response = await this.#post(url, this.#headers, body, options);
    const json = await readJsonBody(response, this.provider);
    return {
      meta: { status: response.status, headers: response.headers },
      body: mapAnswer(this.provider, () =>
        fromGeminiResponse(json, { model: request.model, now: Date.now(), newId }),
      ),
    };
  }

  async chatStream(request: ChatRequest, options: AttemptOptions): Promise<ChatStreamResult> {
    const url = new URL(`${this.#base}${geminiPath(request.model, true)}`);
    const body = await this.#body(request, options);
    const headers = { ...this.#headers, accept: "text/event-stream" };
    const response = await this.#post(url, headers, body, options);
    const map = createGeminiStreamMapper({ model: request.model, now: Date.now(), newId });
    return {
      meta: { status: response.status, headers: response.headers },
      source: mappedBatchSource(response.body, map),
    };
  }

  async embeddings(request: EmbeddingsRequest, options: AttemptOptions): Promise<EmbeddingsResult> {
    const inputs = typeof request.input === "string" ? [request.input] : request.input;
    if (!inputs.every((item): item is string => typeof item === "string")) {
      throw new UnsupportedRequestError(`${this.provider}: Gemini embeddings take text input only.`, {
        param: "input",
      });
    }
    const model = request.model.replace(/^models\//, "");
    const url = new URL(`${this.#base}/v1beta/models/${encodeURIComponent(model)}:batchEmbedContents`);
    const body = {
      requests: inputs.map((text) => ({
        model: `models/${model}`,
        content: { parts: [{ text }] },
        ...(request.dimensions === undefined ? {} : { outputDimensionality: request.dimensions }),
      })),
    };
    const response = await this.#post(url, this.#headers, body, options);
    const json = (await readJsonBody(response, this.provider)) as {
      embeddings?: Array<{ values?: number[] }>;
    };
    const base64 = request.encoding_format === "base64";
    const data: EmbeddingsBody["data"] = (json.embeddings ?? []).map((embedding, index) => {
      const values = embedding.values ?? [];
      return {
        object: "embedding",
        index,
        embedding: base64 ? Buffer.from(new Float32Array(values).buffer).toString("base64") : values,
      };
    });
    const tokens = inputs.reduce((sum, text) => sum + Math.ceil(text.length / 4), 0);
    return {
      meta: { status: response.status, headers: response.headers },
      body: {
        object: "list",
        model: request.model,
        data,
        usage: { prompt_tokens: tokens, total_tokens: tokens },
      },
    };
  }
}
