import type { Answer } from "./answer.js";
import type { StreamMeta } from "./chat-stream.js";
import type { Exchange } from "./exchange.js";
import { defaultErrorBody } from "./openai-errors.js";
import { sendShapedJson, type FailureResponse } from "./shaped-json.js";
import type { SimFault } from "./types.js";

/** The non-stream `chat.completion` body of an answer. */
export function completionBody(answer: Answer, meta: StreamMeta): string {
  const message =
    answer.toolCall === undefined
      ? { role: "assistant", content: answer.content, refusal: null }
      : {
          role: "assistant",
          content: null,
          refusal: null,
          tool_calls: [
            {
              id: answer.toolCall.id,
              type: "function",
              function: { name: answer.toolCall.name, arguments: answer.toolCall.arguments },
            },
          ],
        };
  return JSON.stringify({
    id: meta.id,
    object: "chat.completion",
    created: meta.created,
    model: meta.model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: answer.finishReason }],
    usage: answer.usage,
  });
}

/** What a non-stream `stream-error` fault answers. */
const STREAM_ERROR_RESPONSE: FailureResponse = { status: 500, body: defaultErrorBody(500) };

/**
 * Sends a non-stream answer, shaped by a fault: `cut` sends the headers and half the body then closes the
 * connection, `stall` the same but keeps it open, `malformed` answers 200 `{not json`, `stream-error`
 * answers 500 `server_error`; `no-done` (and no fault) send the answer.
 */
export function sendCompletion(
  exchange: Exchange,
  body: string,
  headers: Readonly<Record<string, string>>,
  fault: SimFault | undefined,
): void {
  sendShapedJson(exchange, body, headers, fault, STREAM_ERROR_RESPONSE);
}
