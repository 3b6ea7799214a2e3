/*
 * One concept, two copies: this file is byte-identical in src/providers/anthropic/inbound/ and
 * src/providers/openai/responses/ (a provider may not import another; a test keeps them equal).
 * It reads the internal format (OpenAI chat chunks), so its home is src/util once that is free.
 */

/** What a chat delta carries, read in this order within one delta. */
export type SegmentKind = "reasoning" | "text" | "refusal" | "tool";

/** One content run of a streamed answer: a text, a reasoning text, a refusal, or one tool call. */
export interface Segment {
  readonly kind: SegmentKind;
  /** `tool_calls[].index` for tool calls, -1 otherwise. */
  readonly toolIndex: number;
  /** Opening order (0, 1, …): the block index / output index; -1 until opened. */
  ordinal: number;
  /** Tool calls: the call id and function name, once the upstream sent them. */
  id: string | null;
  name: string | null;
  /** Everything received so far (text, or the arguments JSON). */
  content: string;
}

/** What the writer must emit, in order: open a segment, add text to it, close it. */
export type SegmentEvent =
  | { type: "open"; segment: Segment }
  | { type: "delta"; segment: Segment; text: string }
  | { type: "close"; segment: Segment };

/** A stateful reader of the deltas of choice 0, turning them into strictly sequential segments. */
export interface ChunkSegmenter {
  /** Reads one `choices[0].delta`. */
  push(delta: unknown): SegmentEvent[];
  /** Closes the open segment and emits the buffered ones; later pushes are ignored. */
  end(): SegmentEvent[];
}

interface Piece {
  kind: SegmentKind;
  toolIndex: number;
  id: string | null;
  name: string | null;
  text: string;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function text(value: unknown): string | null {
  return typeof value === "string" && value !== "" ? value : null;
}

function toolPieces(calls: unknown): Piece[] {
  if (!Array.isArray(calls)) return [];
  return calls.filter(isObject).map((call, position) => {
    const fn = isObject(call["function"]) ? call["function"] : {};
    const index = call["index"];
    return {
      kind: "tool",
      toolIndex: typeof index === "number" ? index : position,
      id: text(call["id"]),
      name: text(fn["name"]),
      text: typeof fn["arguments"] === "string" ? fn["arguments"] : "",
    };
  });
}

/** The pieces of one delta: reasoning (`reasoning_content`, else `reasoning`), content, refusal, tool calls. */
function pieces(delta: unknown): Piece[] {
  if (!isObject(delta)) return [];
  const found: Piece[] = [];
  const reasoning = text(delta["reasoning_content"]) ?? text(delta["reasoning"]);
  const plain = (kind: SegmentKind, value: string | null): void => {
    if (value !== null) found.push({ kind, toolIndex: -1, id: null, name: null, text: value });
  };
  plain("reasoning", reasoning);
  plain("text", text(delta["content"]));
  plain("refusal", text(delta["refusal"]));
  return [...found, ...toolPieces(delta["tool_calls"])];
}

/** A tool call is complete once its arguments parse as JSON; text runs can close at any time. */
function closable(segment: Segment): boolean {
  if (segment.kind !== "tool") return true;
  try {
    JSON.parse(segment.content);
    return true;
  } catch {
    return false;
  }
}

function startable(segment: Segment): boolean {
  return segment.kind !== "tool" || segment.name !== null;
}

function matches(segment: Segment, piece: Piece): boolean {
  return segment.kind === piece.kind && segment.toolIndex === piece.toolIndex;
}

/** The segmenter's state: the open segment, the buffered ones, the tool calls already closed. */
class Segmenter implements ChunkSegmenter {
  private current: Segment | null = null;
  private readonly pending: Segment[] = [];
  private readonly closedTools = new Set<number>();
  private nextOrdinal = 0;
  private ended = false;

  push(delta: unknown): SegmentEvent[] {
    if (this.ended) return [];
    const events: SegmentEvent[] = [];
    for (const piece of pieces(delta)) {
      this.route(piece, events);
      this.promote(events);
    }
    return events;
  }

  end(): SegmentEvent[] {
    if (this.ended) return [];
    this.ended = true;
    const events: SegmentEvent[] = [];
    this.close(events);
    for (const segment of this.pending.splice(0)) {
      this.open(segment, events);
      this.close(events);
    }
    return events;
  }

  private close(events: SegmentEvent[]): void {
    if (this.current === null) return;
    events.push({ type: "close", segment: this.current });
    if (this.current.kind === "tool") this.closedTools.add(this.current.toolIndex);
    this.current = null;
  }

  private open(segment: Segment, events: SegmentEvent[]): void {
    this.close(events);
    segment.ordinal = this.nextOrdinal++;
    this.current = segment;
    events.push({ type: "open", segment });
    if (segment.content !== "") events.push({ type: "delta", segment, text: segment.content });
  }

  /** A piece goes to the open segment (streamed), to a buffered one, or starts a new buffered one. */
  private route(piece: Piece, events: SegmentEvent[]): void {
    const current = this.current;
    if (current !== null && matches(current, piece)) {
      merge(current, piece);
      if (piece.text !== "") events.push({ type: "delta", segment: current, text: piece.text });
      return;
    }
    const waiting = this.pending.find((segment) => matches(segment, piece));
    if (waiting !== undefined) return merge(waiting, piece);
    if (piece.kind === "tool" && this.closedTools.has(piece.toolIndex)) return;
    const { kind, toolIndex, id, name } = piece;
    this.pending.push({ kind, toolIndex, id, name, ordinal: -1, content: piece.text });
  }

  /** Opens buffered segments in order while the open one can close. */
  private promote(events: SegmentEvent[]): void {
    for (;;) {
      const next = this.pending[0];
      if (next === undefined || !startable(next)) return;
      if (this.current !== null && !closable(this.current)) return;
      this.pending.shift();
      this.open(next, events);
    }
  }
}

function merge(segment: Segment, piece: Piece): void {
  segment.id ??= piece.id;
  segment.name ??= piece.name;
  segment.content += piece.text;
}

/**
 * Creates a segmenter. Segments never overlap: one is open at a time, as Anthropic blocks and
 * Responses output items must be. The open one streams; a piece for another segment opens it at
 * once when the open one can close (text always can; a tool call once its arguments are complete
 * JSON, which is how OpenAI's sequential parallel calls look), else it is buffered and opened,
 * with all it has, as soon as the open one completes (interleaved parallel calls). Fragments for a
 * tool call already closed are dropped (its JSON was complete).
 */
export function createChunkSegmenter(): ChunkSegmenter {
  return new Segmenter();
}
