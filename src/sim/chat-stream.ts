import type { Answer } from "./answer.js";
import type { Exchange } from "./exchange.js";
import { shapeEvents, writeEvents, type Ending } from "./stream-shape.js";
import type { SimFault } from "./types.js";

/** What the chat stream carries, besides the answer. */
export interface StreamMeta {
  id: string;
  created: number;
  model: string;
  includeUsage: boolean;
}

const DONE = "data: [DONE]\n\n";
const MALFORMED = "data: {not json\n\n";
const STREAM_ERROR =
  'data: {"error":{"message":"The server had an error while processing your request (simulated).","type":"server_error","param":null,"code":null}}\n\n';

/**
 * The SSE events of an answer, in OpenAI's format: a role chunk (`{role:"assistant",content:""}`, or for a
 * tool call `{role:"assistant",content:null,tool_calls:[{index:0,id,type:"function",function:{name,arguments:""}}]}`),
 * one chunk per piece, a `delta:{}` chunk with the finish reason, the usage chunk (`choices:[]`) when
 * `includeUsage` (then every chunk also carries `"usage":null`), and `data: [DONE]`.
 */
export function streamEvents(answer: Answer, meta: StreamMeta): string[] {
  const head = `data: {"id":"${meta.id}","object":"chat.completion.chunk","created":${meta.created},"model":${JSON.stringify(meta.model)},"choices":`;
  const usageNull = meta.includeUsage ? `,"usage":null` : "";
  const open = `${head}[{"index":0,"delta":`;
  const close = `,"logprobs":null,"finish_reason":null}]${usageNull}}\n\n`;
  const events: string[] = [];
  if (answer.toolCall === undefined) {
    events.push(`${open}{"role":"assistant","content":""}${close}`);
    for (const piece of answer.pieces) events.push(`${open}{"content":${JSON.stringify(piece)}}${close}`);
  } else {
    const { id, name } = answer.toolCall;
    const header = { index: 0, id, type: "function", function: { name, arguments: "" } };
    events.push(
      `${open}{"role":"assistant","content":null,"tool_calls":[${JSON.stringify(header)}]}${close}`,
    );
    for (const piece of answer.pieces) {
      events.push(
        `${open}{"tool_calls":[{"index":0,"function":{"arguments":${JSON.stringify(piece)}}}]}${close}`,
      );
    }
  }
  events.push(`${open}{},"logprobs":null,"finish_reason":"${answer.finishReason}"}]${usageNull}}\n\n`);
  if (meta.includeUsage) events.push(`${head}[],"usage":${JSON.stringify(answer.usage)}}\n\n`);
  events.push(DONE);
  return events;
}

/** Applies a stream-shaping fault to the events of an OpenAI stream; returns the events to send and how to end. */
export function shapeStream(
  events: string[],
  pieceCount: number,
  fault: SimFault | undefined,
): { events: string[]; ending: Ending } {
  const layout = {
    head: 1,
    pieces: pieceCount,
    endMarkers: 1,
    malformed: MALFORMED,
    streamError: STREAM_ERROR,
  };
  return shapeEvents(events, layout, fault);
}

/**
 * Sends the stream: headers, then the events — all in one write without `delayMs`, else one event every
 * `delayMs` — then ends, cuts or holds the connection. Stops as soon as the client disconnects.
 */
export function sendStream(
  exchange: Exchange,
  headers: Readonly<Record<string, string>>,
  events: readonly string[],
  ending: Ending,
  delayMs: number,
): void {
  const all = {
    "content-type": "text/event-stream; charset=utf-8",
    "cache-control": "no-cache",
    "x-request-id": `req_sim_${exchange.sequence}`,
    ...headers,
  };
  writeEvents(exchange, all, events, ending, delayMs);
}
