import { UpstreamHttpError, UpstreamNetworkError } from "../../src/errors/index.js";
import { mapOpenAIStreamData } from "../../src/providers/openai/index.js";
import type {
  AttemptOptions,
  ChatCompletionBody,
  ChatRequest,
  ChatResult,
  ChatStreamResult,
  EmbeddingsRequest,
  EmbeddingsResult,
  StreamEvent,
  Target,
} from "../../src/types/index.js";

/** One scripted stream event. */
export type ScriptEvent =
  | { content: string }
  | { finish: string }
  | { usage: { prompt_tokens: number; completion_tokens: number } }
  | { malformed: true }
  | { error: string }
  | { done: true }
  | { waitMs: number };

/** What one call does. */
export type Step =
  | { ok: string; headers?: Record<string, string> }
  | { http: number; headers?: Record<string, string>; body?: unknown }
  | { network: string }
  | { hang: true }
  | { stream: ScriptEvent[]; end?: "close" | "stall" | "throw" };

/** A call the fake target received. */
export interface FakeCall {
  request: ChatRequest | EmbeddingsRequest;
  signal: AbortSignal;
}

function abortable(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) reject(signal.reason);
    signal.addEventListener("abort", () => reject(signal.reason), { once: true });
  });
}

function chunk(model: string, delta: unknown, finish: string | null, usage?: unknown): string {
  const body: Record<string, unknown> = {
    id: "chatcmpl-fake",
    object: "chat.completion.chunk",
    created: 1,
    model,
    choices: finish === "usage" ? [] : [{ index: 0, delta, finish_reason: finish }],
  };
  if (usage !== undefined) body["usage"] = usage;
  return JSON.stringify(body);
}

/**
 * A scripted in-process target: each call takes the next step (the last one repeats). Records every
 * call and whether its signal was aborted. For engine tests; end-to-end tests use the simulator.
 */
export class FakeTarget implements Target {
  readonly calls: FakeCall[] = [];
  #index = 0;

  constructor(
    readonly provider: string,
    private readonly steps: Step[],
  ) {}

  #next(request: ChatRequest | EmbeddingsRequest, signal: AbortSignal): Step {
    this.calls.push({ request, signal });
    const step = this.steps[Math.min(this.#index, this.steps.length - 1)];
    this.#index += 1;
    if (!step) throw new Error("no steps");
    return step;
  }

  async #fail(step: Step, signal: AbortSignal): Promise<never> {
    if ("http" in step) {
      const body = step.body ?? {
        error: { message: `HTTP ${step.http}`, type: "error", param: null, code: null },
      };
      const inner = (body as { error?: { message?: string; type?: string; code?: string } }).error;
      throw new UpstreamHttpError(step.http, inner?.message ?? `HTTP ${step.http}`, {
        headers: step.headers ?? {},
        body,
        upstreamType: inner?.type ?? null,
        upstreamCode: inner?.code ?? null,
      });
    }
    if ("network" in step) throw new UpstreamNetworkError(`connect ${step.network}`, step.network);
    if ("hang" in step) return abortable(signal);
    throw new Error(`step ${JSON.stringify(step)} is not a failure`);
  }

  async chat(request: ChatRequest, options: AttemptOptions): Promise<ChatResult> {
    const step = this.#next(request, options.signal);
    if (!("ok" in step)) return this.#fail(step, options.signal);
    const body: ChatCompletionBody = {
      id: "chatcmpl-fake",
      object: "chat.completion",
      created: 1,
      model: request.model,
      choices: [
        {
          index: 0,
          message: { role: "assistant", content: step.ok, refusal: null },
          finish_reason: "stop",
          logprobs: null,
        },
      ],
      usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 },
    };
    return { meta: { status: 200, headers: step.headers ?? {} }, body };
  }

  async chatStream(request: ChatRequest, options: AttemptOptions): Promise<ChatStreamResult> {
    const step = this.#next(request, options.signal);
    if (!("stream" in step)) return this.#fail(step, options.signal);
    const signal = options.signal;
    const model = request.model;
    const script = step.stream;
    const end = step.end;
    async function* events(): AsyncGenerator<StreamEvent[]> {
      yield [mapOpenAIStreamData(chunk(model, { role: "assistant", content: "" }, null))];
      for (const event of script) {
        if (signal.aborted) throw signal.reason;
        if ("waitMs" in event)
          await Promise.race([new Promise((r) => setTimeout(r, event.waitMs)), abortable(signal)]);
        else if ("content" in event)
          yield [mapOpenAIStreamData(chunk(model, { content: event.content }, null))];
        else if ("finish" in event) yield [mapOpenAIStreamData(chunk(model, {}, event.finish))];
        else if ("usage" in event)
          yield [
            mapOpenAIStreamData(
              chunk(model, null, "usage", {
                ...event.usage,
                total_tokens: event.usage.prompt_tokens + event.usage.completion_tokens,
              }),
            ),
          ];
        else if ("malformed" in event) yield [mapOpenAIStreamData("{not json")];
        else if ("error" in event)
          yield [
            mapOpenAIStreamData(JSON.stringify({ error: { message: event.error, type: "server_error" } })),
          ];
        else if ("done" in event) yield [mapOpenAIStreamData("[DONE]")];
      }
      if (end === "stall") await abortable(signal);
      if (end === "throw") throw new UpstreamNetworkError("terminated", "UND_ERR_SOCKET");
    }
    return { meta: { status: 200, headers: {} }, events: events() };
  }

  async embeddings(request: EmbeddingsRequest, options: AttemptOptions): Promise<EmbeddingsResult> {
    const step = this.#next(request, options.signal);
    if (!("ok" in step)) return this.#fail(step, options.signal);
    return {
      meta: { status: 200, headers: {} },
      body: {
        object: "list",
        model: request.model,
        data: [{ object: "embedding", index: 0, embedding: [0.5] }],
        usage: { prompt_tokens: 1, total_tokens: 1 },
      },
    };
  }
}
