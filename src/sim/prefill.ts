/**
 * Assistant prefill in the simulator: a request whose conversation ends with an assistant turn asks the
 * model to continue that turn. The simulator answers such a request with the rest of its text answer when
 * the turn is a prefix of it (the whole answer otherwise), and a `prefill-rejected` fault refuses it.
 */
import type { SimWire } from "./types.js";

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The message sent by a `prefill-rejected` fault (the wording of Anthropic's newer models). */
export const prefillRejectedMessage =
  "This model does not support assistant message prefill. The conversation must end with a user message.";

/** The text of a message's content: a string, or the `text` of its parts. */
function contentText(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  let text = "";
  for (const part of content) if (isObject(part) && typeof part["text"] === "string") text += part["text"];
  return text;
}

/**
 * The text of the trailing assistant turn of `messages` (role `assistant`; Gemini contents: `model`,
 * with `parts`), or null when the conversation ends with another role.
 */
export function prefillOf(messages: readonly unknown[]): string | null {
  const last = messages.at(-1);
  if (!isObject(last)) return null;
  const role = last["role"];
  if (role !== "assistant" && role !== "model") return null;
  return contentText(last["content"] ?? last["parts"]);
}

/** Whether a request body of `wire` ends with an assistant turn (a prefill). */
export function endsWithAssistant(wire: SimWire, body: unknown): boolean {
  if (!isObject(body)) return false;
  const turns = wire === "gemini" ? body["contents"] : body["messages"];
  return Array.isArray(turns) && prefillOf(turns) !== null;
}

/** The pieces of a text answer: its words, each with the whitespace before it. */
export function textPieces(text: string): string[] {
  return text.match(/\s*\S+/g) ?? [text];
}

/**
 * The pieces that follow `prefill` in the answer `pieces`: when the answer starts with it, the rest, cut
 * at the same boundaries (the piece the prefill ends inside keeps its tail); otherwise all of them.
 */
export function continuePieces(pieces: readonly string[], prefill: string | null): string[] {
  if (prefill === null || prefill === "") return [...pieces];
  const full = pieces.join("");
  if (!full.startsWith(prefill)) return [...pieces];
  const rest: string[] = [];
  let offset = 0;
  for (const piece of pieces) {
    const end = offset + piece.length;
    if (end > prefill.length)
      rest.push(offset >= prefill.length ? piece : piece.slice(prefill.length - offset));
    offset = end;
  }
  return rest;
}
