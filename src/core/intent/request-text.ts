import type { ChatRequest } from "../../types/index.js";

/** How much of each text the classifier reads: a head and a tail, so huge prompts stay cheap. */
export interface TextBounds {
  /** Characters read from the start of the last user turn (default 1024). */
  userHead: number;
  /** Characters read from its end (default 256). */
  userTail: number;
  /** Characters read from the start of the system prompts (default 384). */
  systemHead: number;
  /** Characters read from their end (default 128). */
  systemTail: number;
}

/**
 * The default bounds: 1.25 KB of the user turn and 512 characters of system prompt. The instruction
 * of a prompt sits at its start or its end; what is pasted in between adds little, and every kilobyte
 * of prose read costs the classifier about 30 µs.
 */
export const defaultTextBounds: Readonly<TextBounds> = Object.freeze({
  userHead: 1024,
  userTail: 256,
  systemHead: 384,
  systemTail: 128,
});

/** The parts of a chat request the classifier reads. */
export interface RequestText {
  /** System and developer prompts (bounded). */
  system: string;
  /** The last user turn: the user messages after the last other message (bounded). */
  user: string;
  /** Characters of both texts before bounding. */
  fullLength: number;
  truncated: boolean;
  /** Image parts anywhere in the conversation (a follow-up question about an image still needs vision). */
  images: number;
  tools: boolean;
  jsonFormat: boolean;
}

type Message = { role?: unknown; content?: unknown };

const imageTypes = new Set(["image_url", "input_image", "image"]);

function isMessage(value: unknown): value is Message {
  return typeof value === "object" && value !== null;
}

/** Appends the text pieces of one message content (a string or an array of parts) and counts images. */
function collect(content: unknown, pieces: string[] | null): number {
  if (typeof content === "string") {
    pieces?.push(content);
    return 0;
  }
  if (!Array.isArray(content)) return 0;
  let images = 0;
  for (const part of content) {
    if (typeof part !== "object" || part === null) continue;
    const { type, text } = part as { type?: unknown; text?: unknown };
    if (typeof type === "string" && imageTypes.has(type)) images += 1;
    else if (typeof text === "string") pieces?.push(text);
  }
  return images;
}

function lengthOf(pieces: readonly string[]): number {
  let total = 0;
  for (const piece of pieces) total += piece.length + 1;
  return total;
}

/** Joins pieces, keeping only `head` characters from the start and `tail` from the end. */
export function boundedJoin(pieces: readonly string[], head: number, tail: number): string {
  if (lengthOf(pieces) <= head + tail) return pieces.join("\n");
  let start = "";
  for (const piece of pieces) {
    const room = head - start.length;
    if (room <= 0) break;
    start += piece.length + 1 <= room ? `${piece}\n` : piece.slice(0, room);
  }
  let end = "";
  for (let index = pieces.length - 1; index >= 0; index -= 1) {
    const piece = pieces[index] ?? "";
    const room = tail - end.length;
    if (room <= 0) break;
    end = piece.length + 1 <= room ? `\n${piece}${end}` : `${piece.slice(piece.length - room)}${end}`;
  }
  return `${start}\n…\n${end}`;
}

function isJsonFormat(value: unknown): boolean {
  if (typeof value !== "object" || value === null) return false;
  const type = (value as { type?: unknown }).type;
  return type === "json_object" || type === "json_schema";
}

/** Reads the system prompts, the last user turn, images, tools and `response_format` of a request. */
export function requestText(
  request: ChatRequest,
  bounds: Readonly<TextBounds> = defaultTextBounds,
): RequestText {
  const messages = Array.isArray(request.messages) ? request.messages : [];
  const system: string[] = [];
  const user: string[] = [];
  let images = 0;
  let inLastTurn = true;
  // Backwards: the trailing user messages are the last turn; system prompts are read wherever they are.
  for (let index = messages.length - 1; index >= 0; index -= 1) {
    const message = messages[index];
    if (!isMessage(message)) continue;
    const role = message.role;
    if (role === "system" || role === "developer") {
      images += collect(message.content, system);
      continue;
    }
    if (role === "user" && inLastTurn) {
      images += collect(message.content, user);
      continue;
    }
    if (user.length > 0) inLastTurn = false;
    images += collect(message.content, null);
  }
  system.reverse();
  user.reverse();
  const systemLength = lengthOf(system);
  const userLength = lengthOf(user);
  return {
    system: boundedJoin(system, bounds.systemHead, bounds.systemTail),
    user: boundedJoin(user, bounds.userHead, bounds.userTail),
    fullLength: systemLength + userLength,
    truncated:
      systemLength > bounds.systemHead + bounds.systemTail || userLength > bounds.userHead + bounds.userTail,
    images,
    tools: Array.isArray(request["tools"]) && request["tools"].length > 0,
    jsonFormat: isJsonFormat(request["response_format"]),
  };
}
