import { performance } from "node:perf_hooks";
import type { StreamOutcome } from "../core/index.js";
import { LlmuxError } from "../errors/index.js";
import type { ChatPlan } from "./cache-routing.js";
import type { GatewayServerOptions } from "./options.js";
import type { RequestNote } from "./request-log.js";
import type { SseEnd } from "./sse-writer.js";

/** The log line's error code of how a stream ended (null when it was complete). */
export function errorCodeOfEnd(end: SseEnd): string | null {
  if (end.kind === "done") return null;
  if (end.kind === "client_gone") return "client_gone";
  return end.error instanceof LlmuxError ? end.error.code : "stream_error";
}

/**
 * Books a committed stream of a dialect route (`/v1/messages`, `/v1/responses`): its deployment and
 * llmux's own overhead on the request's note and in metrics, the answer to smart routing (affinity;
 * the cache taps the stream when `cacheable`). Returns the overhead (ms) and the writer's end hook
 * that completes the note.
 */
export function noteCommittedStream(
  options: GatewayServerOptions,
  note: RequestNote,
  started: number,
  plan: ChatPlan | null,
  streamed: StreamOutcome,
  cacheable: boolean,
): { overheadMs: number; onEnd: (end: SseEnd) => void } {
  const overheadMs =
    performance.now() - started - streamed.upstreamMs - (streamed.committedHr - streamed.attemptStartedHr);
  note.deployment = streamed.deployment.id;
  note.overheadMs = overheadMs;
  options.metrics?.observeOverhead(overheadMs / 1000, true);
  const smart = options.smartRouting;
  if (plan !== null && smart !== undefined) {
    smart.answered(plan, streamed.deployment.id);
    // Stored when complete, in its chat form, and replayed in the caller's dialect.
    if (cacheable) smart.tapStream(plan, streamed);
  }
  const onEnd = (end: SseEnd): void => {
    note.attempts = streamed.attempts.length;
    note.upstreamMs = streamed.totalUpstreamMs;
    note.errorCode = errorCodeOfEnd(end);
  };
  return { overheadMs, onEnd };
}
