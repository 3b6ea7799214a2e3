import { InvalidRequestError } from "../../errors/index.js";
import { isRecord } from "../../util/index.js";
import type { ImageMap } from "./images.js";
import {
  assistantParts,
  contentTexts,
  functionResultPart,
  toolResultPart,
  userParts,
  type GeminiPart,
} from "./message-parts.js";

/** One Gemini `Content` turn. */
export interface GeminiContent {
  role: "user" | "model";
  parts: GeminiPart[];
}

/** The conversation split the way Gemini wants it. */
export interface GeminiConversation {
  /** The text parts of every system / developer message, in order (`systemInstruction.parts`). */
  system: GeminiPart[];
  contents: GeminiContent[];
}

/** Appends a turn, merging it into the previous one when the role is the same (Gemini alternates roles). */
function append(contents: GeminiContent[], role: GeminiContent["role"], parts: GeminiPart[]): void {
  if (parts.length === 0) return;
  const last = contents.at(-1);
  if (last !== undefined && last.role === role) last.parts.push(...parts);
  else contents.push({ role, parts });
}

/**
 * OpenAI `messages` → Gemini `systemInstruction` parts and `contents`:
 * - `system` / `developer` → system text parts (wherever they appear);
 * - `user` → role `user`; `assistant` → role `model` (text, then `functionCall` parts);
 * - `tool` (and the deprecated `function`) → `functionResponse` parts in a `user` turn;
 * - consecutive turns of the same role merge into one `Content`, so parallel tool results form one
 *   turn (and a user message right after tool results joins that turn);
 * - an assistant message with no text and no tool calls adds nothing.
 */
export function toGeminiConversation(messages: readonly unknown[], images: ImageMap): GeminiConversation {
  const system: GeminiPart[] = [];
  const contents: GeminiContent[] = [];
  const toolNames = new Map<string, string>();
  messages.forEach((message, index) => {
    const where = `messages[${index}]`;
    if (!isRecord(message)) throw new InvalidRequestError(`${where} must be an object.`, { param: where });
    const role = message["role"];
    switch (role) {
      case "system":
      case "developer":
        system.push(...contentTexts(message["content"], where).map((text) => ({ text })));
        return;
      case "user":
        append(contents, "user", userParts(message["content"], images, where));
        return;
      case "assistant":
        append(contents, "model", assistantParts(message, toolNames, where));
        return;
      case "tool":
        append(contents, "user", [toolResultPart(message, toolNames, where)]);
        return;
      case "function":
        append(contents, "user", [functionResultPart(message, where)]);
        return;
      default:
        throw new InvalidRequestError(`${where}: unknown role ${JSON.stringify(role)}.`, {
          param: `${where}.role`,
        });
    }
  });
  return { system, contents };
}
