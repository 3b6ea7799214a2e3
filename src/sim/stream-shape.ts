import { cutAfter, isOpen, type Exchange } from "./exchange.js";
import type { SimFault } from "./types.js";

/** How a stream ends after its last event: end the response, close the socket, or keep it open. */
export type Ending = "end" | "cut" | "hold";

/** Where the pieces sit in a stream's events, and the wire's own fault events. */
export interface StreamLayout {
  /** Events before the first piece event (OpenAI: the role chunk; Anthropic: start, ping, block start). */
  readonly head: number;
  /** Number of piece events (content chunks or argument fragments). */
  readonly pieces: number;
  /** Final events a `no-done` fault drops (OpenAI `[DONE]`, Anthropic `message_stop`; 0 for Gemini). */
  readonly endMarkers: number;
  /** The event a `malformed` fault inserts. */
  readonly malformed: string;
  /** The event a `stream-error` fault ends the stream with. */
  readonly streamError: string;
}

/**
 * Applies a stream-shaping fault to the events of a stream; returns the events to send and how to end.
 * `cut`, `stall`, `malformed` and `stream-error` act after `head` + `afterChunks` (default 2, at most
 * `pieces`) events; other kinds leave the stream unchanged.
 */
export function shapeEvents(
  events: string[],
  layout: StreamLayout,
  fault: SimFault | undefined,
): { events: string[]; ending: Ending } {
  if (fault === undefined) return { events, ending: "end" };
  const after = layout.head + Math.max(0, Math.min(layout.pieces, Math.floor(fault.afterChunks ?? 2)));
  switch (fault.kind) {
    case "cut":
      return { events: events.slice(0, after), ending: "cut" };
    case "stall":
      return { events: events.slice(0, after), ending: "hold" };
    case "malformed":
      return { events: [...events.slice(0, after), layout.malformed, ...events.slice(after)], ending: "end" };
    case "no-done":
      return {
        events: events.slice(0, events.length - layout.endMarkers),
        ending: fault.keepOpen === true ? "hold" : "end",
      };
    case "stream-error":
      return { events: [...events.slice(0, after), layout.streamError], ending: "end" };
    default:
      return { events, ending: "end" };
  }
}

/**
 * Sends a 200 event stream: `headers`, then the events — all in one write without `delayMs`, else one
 * event every `delayMs` — then ends, cuts or holds the connection. Stops as soon as the client disconnects.
 */
export function writeEvents(
  exchange: Exchange,
  headers: Readonly<Record<string, string>>,
  events: readonly string[],
  ending: Ending,
  delayMs: number,
): void {
  if (!isOpen(exchange)) return;
  const response = exchange.response;
  exchange.record.status = 200;
  response.writeHead(200, headers);
  if (delayMs <= 0) {
    finish(exchange, events.join(""), ending);
    return;
  }
  let index = 0;
  const step = (): void => {
    if (!isOpen(exchange)) return;
    const event = events[index] ?? "";
    index += 1;
    if (index >= events.length) {
      finish(exchange, event, ending);
      return;
    }
    response.write(event);
    setTimeout(step, delayMs).unref();
  };
  step();
}

function finish(exchange: Exchange, data: string, ending: Ending): void {
  if (ending === "end") exchange.response.end(data);
  else if (ending === "cut") cutAfter(exchange, data);
  else if (data.length > 0) exchange.response.write(data);
  else exchange.response.flushHeaders();
}
