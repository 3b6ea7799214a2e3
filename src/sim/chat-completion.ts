import type { Answer } from "./answer.js";
import type { StreamMeta } from "./chat-stream.js";
import { cutAfter, isOpen, jsonHeaders, sendJson, type Exchange } from "./exchange.js";
import { defaultErrorBody } from "./openai-errors.js";
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
  switch (fault?.kind) {
    case "cut":
    case "stall": {
      if (!isOpen(exchange)) return;
      const bytes = Buffer.from(body);
      const half = bytes.subarray(0, Math.floor(bytes.length / 2));
      exchange.record.status = 200;
      exchange.response.writeHead(200, jsonHeaders(exchange, bytes.length, headers));
      if (fault.kind === "cut") cutAfter(exchange, half);
      else exchange.response.write(half);
      return;
    }
    case "malformed":
      sendJson(exchange, 200, "{not json", headers);
      return;
    case "stream-error":
      sendJson(exchange, 500, defaultErrorBody(500), headers);
      return;
    default:
      sendJson(exchange, 200, body, headers);
  }
}
