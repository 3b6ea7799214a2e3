import type OpenAI from "openai";
import { AbortedError } from "../errors/index.js";
import type { StreamOutcome } from "../core/index.js";
import type { AttemptRecord, ChatCompletionChunkBody } from "../types/index.js";

/**
 * A streamed chat completion: iterate it once with `for await`. Breaking out of the loop, calling
 * `abort()`, or aborting the request's signal stops the upstream request (and, as with the OpenAI
 * SDK, ends the loop quietly). A stream that breaks after
 * the answer started throws `StreamInterruptedError` from the loop; it never ends as if complete.
 */
export class ChatStream implements AsyncIterable<OpenAI.ChatCompletionChunk> {
  /** Aborting it stops the stream (like the OpenAI SDK's `Stream.controller`). */
  readonly controller = new AbortController();
  /** The deployment that answered. */
  readonly deploymentId: string;
  /** The upstream model that answered. */
  readonly model: string;
  readonly requestId: string;
  /** Every attempt so far (failed ones before the commit point, then this one once it ends). */
  readonly attempts: readonly AttemptRecord[];
  readonly #outcome: StreamOutcome;
  #used = false;

  readonly #callerSignal: AbortSignal | undefined;

  constructor(outcome: StreamOutcome, callerSignal?: AbortSignal) {
    this.#callerSignal = callerSignal;
    this.#outcome = outcome;
    this.deploymentId = outcome.deployment.id;
    this.model = outcome.deployment.model;
    this.requestId = outcome.requestId;
    this.attempts = outcome.attempts;
    this.controller.signal.addEventListener("abort", () => outcome.abort(), { once: true });
  }

  /** Stops the stream and the upstream request. */
  abort(): void {
    this.controller.abort();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<OpenAI.ChatCompletionChunk> {
    if (this.#used) throw new Error("This stream has already been iterated; a stream can be read once.");
    this.#used = true;
    const batches = this.#outcome.batches;
    try {
      for await (const batch of batches) {
        for (const event of batch.events) {
          const chunk: ChatCompletionChunkBody =
            event.chunk ?? (JSON.parse(event.data) as ChatCompletionChunkBody);
          yield chunk as unknown as OpenAI.ChatCompletionChunk;
        }
      }
    } catch (error) {
      // Like the OpenAI SDK: a stream the caller aborted ends quietly.
      if (error instanceof AbortedError && (this.controller.signal.aborted || this.#callerSignal?.aborted))
        return;
      throw error;
    } finally {
      await batches.return(undefined);
    }
  }
}
