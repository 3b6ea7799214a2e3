import type OpenAI from "openai";
import { AbortedError, UpstreamHttpError, UpstreamNetworkError } from "../errors/index.js";
import { openAIEventBatches } from "../core/index.js";
import { fitToolCallIds, readOpenAIError } from "../providers/openai/index.js";
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
} from "../types/index.js";
import { serializeJson } from "../core/index.js";
import { headerMap, isRecord } from "../util/index.js";

/** The SDK's own timeout is disabled (a day); the engine enforces its own per attempt. */
const sdkTimeoutMs = 86_400_000;

function providerLabel(client: OpenAI): string {
  try {
    return new URL(client.baseURL).host;
  } catch {
    return "openai";
  }
}

/**
 * Converts what the OpenAI SDK throws into llmux's upstream errors: `APIError` with a status →
 * `UpstreamHttpError` (headers and body kept for the failure policy), connection errors →
 * `UpstreamNetworkError`, aborts → the signal's reason. Duck-typed, so any copy of `openai` works.
 */
export function fromSdkError(error: unknown, signal: AbortSignal, provider: string): unknown {
  if (signal.aborted) return signal.reason ?? new AbortedError();
  if (!isRecord(error)) return error;
  const status = error["status"];
  const headers = error["headers"];
  if (typeof status === "number" && headers !== undefined && headers !== null) {
    const inner = error["error"];
    const body = inner === undefined ? null : { error: inner };
    const fields = readOpenAIError(body);
    const message =
      fields.message ?? (typeof error["message"] === "string" ? error["message"] : `HTTP ${status}`);
    return new UpstreamHttpError(status, message, {
      headers: headerMap(headers as Iterable<[string, string]>),
      body,
      upstreamType: fields.type,
      upstreamCode: fields.code,
      provider,
    });
  }
  const name = error instanceof Error ? error.constructor.name : "";
  if (name === "APIUserAbortError") return new AbortedError();
  const message = error instanceof Error ? error.message : String(error);
  return new UpstreamNetworkError(`${provider}: ${message}`, networkCodeOf(error), error, provider);
}

function networkCodeOf(error: unknown): string | null {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && isRecord(current); depth += 1) {
    const code = current["code"];
    if (typeof code === "string") return code;
    current = current["cause"];
  }
  return null;
}

/**
 * What the SDK threw, as llmux's error. The SDK serialises the body itself before sending, and lets
 * a failure there escape unwrapped: an error that is not the SDK's own (no status, not an
 * `API…Error`) is checked by serialising the body, and a body that cannot be is the caller's
 * `UnsendableRequestError` (the cost is paid only on failure).
 */
function sdkFailure(error: unknown, signal: AbortSignal, provider: string, body: unknown): unknown {
  if (!signal.aborted && isRecord(error) && error["status"] === undefined && !/^API/.test(nameOf(error))) {
    try {
      serializeJson(body, provider);
    } catch (unsendable) {
      return unsendable;
    }
  }
  return fromSdkError(error, signal, provider);
}

function nameOf(error: object): string {
  return error instanceof Error ? error.constructor.name : "";
}

/**
 * A target that calls through a caller-supplied OpenAI SDK client (any OpenAI-compatible base URL,
 * Azure clients too). The SDK never retries (`maxRetries: 0`): failover is the engine's job.
 * Streams are read as raw SSE bytes, so headers, malformed events and cuts are all visible.
 */
export class OpenAISdkTarget implements Target {
  readonly provider: string;

  constructor(private readonly client: OpenAI) {
    this.provider = providerLabel(client);
  }

  #options(options: AttemptOptions): OpenAI.RequestOptions {
    const request: OpenAI.RequestOptions = { signal: options.signal, maxRetries: 0, timeout: sdkTimeoutMs };
    if (options.headers) request.headers = options.headers;
    return request;
  }

  async chat(request: ChatRequest, options: AttemptOptions): Promise<ChatResult> {
    const body = fitToolCallIds(request);
    try {
      const { data, response } = await this.client.chat.completions
        .create(body as unknown as OpenAI.ChatCompletionCreateParamsNonStreaming, this.#options(options))
        .withResponse();
      return {
        meta: { status: response.status, headers: headerMap(response.headers) },
        body: data as unknown as ChatCompletionBody,
      };
    } catch (error) {
      throw sdkFailure(error, options.signal, this.provider, body);
    }
  }

  async chatStream(request: ChatRequest, options: AttemptOptions): Promise<ChatStreamResult> {
    const params = fitToolCallIds(request);
    let response: Response;
    try {
      response = await this.client.chat.completions
        .create(params as unknown as OpenAI.ChatCompletionCreateParamsStreaming, this.#options(options))
        .asResponse();
    } catch (error) {
      throw sdkFailure(error, options.signal, this.provider, params);
    }
    const body = response.body;
    if (!body)
      throw new UpstreamNetworkError(
        `${this.provider}: stream response without a body`,
        null,
        undefined,
        this.provider,
      );
    return {
      meta: { status: response.status, headers: headerMap(response.headers) },
      events: openAIEventBatches(body as AsyncIterable<Uint8Array>),
    };
  }

  async embeddings(request: EmbeddingsRequest, options: AttemptOptions): Promise<EmbeddingsResult> {
    try {
      const { data, response } = await this.client.embeddings
        .create(request as unknown as OpenAI.EmbeddingCreateParams, this.#options(options))
        .withResponse();
      return {
        meta: { status: response.status, headers: headerMap(response.headers) },
        body: data as unknown as EmbeddingsBody,
      };
    } catch (error) {
      throw sdkFailure(error, options.signal, this.provider, request);
    }
  }
}
