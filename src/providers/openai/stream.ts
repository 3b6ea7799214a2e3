import type { ChatCompletionChunkBody, StreamBatch, StreamEvent, Usage } from "../../types/index.js";
import { isRecord, safeJsonParse, type SseBatch, type SseMessage } from "../../util/index.js";

function hasContent(delta: unknown): boolean {
  if (!isRecord(delta)) return false;
  const content = delta["content"];
  if (typeof content === "string" && content.length > 0) return true;
  const refusal = delta["refusal"];
  if (typeof refusal === "string" && refusal.length > 0) return true;
  const toolCalls = delta["tool_calls"];
  if (Array.isArray(toolCalls) && toolCalls.length > 0) return true;
  return isRecord(delta["function_call"]) || isRecord(delta["audio"]);
}

function firstString(...values: unknown[]): string | null {
  for (const value of values) if (typeof value === "string" && value !== "") return value;
  return null;
}

/**
 * Maps one `data:` payload of an OpenAI-compatible stream to a stream event: `[DONE]`, an in-band
 * `{"error": …}`, a chunk (with its content / finish / usage summary) or, when it is not JSON,
 * a malformed event to skip.
 */
export function mapOpenAIStreamData(data: string): StreamEvent {
  if (data === "[DONE]") return { type: "done" };
  const parsed = safeJsonParse(data);
  if (!isRecord(parsed)) return { type: "malformed", data };
  const error = parsed["error"];
  if (error !== undefined && error !== null) {
    const fields = isRecord(error) ? error : {};
    const message = typeof fields["message"] === "string" ? fields["message"] : "Upstream stream error";
    const errorType = firstString(fields["code"], fields["type"], fields["status"]);
    return { type: "error", errorType, message, payload: parsed };
  }
  const choices = parsed["choices"];
  if (!Array.isArray(choices)) return { type: "malformed", data };
  let content = false;
  let finishReason: string | null = null;
  for (const choice of choices) {
    if (!isRecord(choice)) continue;
    if (!content && hasContent(choice["delta"])) content = true;
    const finish = choice["finish_reason"];
    if (finishReason === null && typeof finish === "string") finishReason = finish;
  }
  const usage = isRecord(parsed["usage"]) ? (parsed["usage"] as Usage) : null;
  return {
    type: "chunk",
    data,
    chunk: parsed as ChatCompletionChunkBody,
    content,
    finishReason,
    usage,
    usageOnly: choices.length === 0 && usage !== null,
  };
}

/**
 * Maps a decoded OpenAI SSE stream, batch by batch, to stream events (named events other than
 * `error` are ignored; empty batches are not yielded).
 */
export async function* mapOpenAIStream(
  batches: AsyncIterable<readonly SseMessage[]>,
  read: (data: string) => StreamEvent = mapOpenAIStreamData,
): AsyncGenerator<StreamEvent[]> {
  for await (const batch of batches) {
    const events: StreamEvent[] = [];
    for (const message of batch) {
      if (message.event !== undefined && message.event !== "message" && message.event !== "error") continue;
      events.push(read(message.data));
    }
    if (events.length > 0) yield events;
  }
}

/**
 * The stream events of one framed read of an OpenAI-compatible stream. The batch keeps the read's
 * bytes (`raw`) when every message became an event, so a pass-through may forward them as they
 * came; a named event that is skipped (anything but `message` and `error`) drops them. Null when
 * nothing in the read is an event.
 */
export function openAIStreamBatch(
  sse: SseBatch,
  read: (data: string) => StreamEvent = mapOpenAIStreamData,
): StreamBatch | null {
  const events: StreamBatch = [];
  let skipped = false;
  for (const message of sse.messages) {
    if (message.event !== undefined && message.event !== "message" && message.event !== "error") {
      skipped = true;
      continue;
    }
    events.push(read(message.data));
  }
  if (events.length === 0) return null;
  events.raw = skipped ? null : sse.raw;
  return events;
}
