import { InvalidRequestError } from "../../errors/index.js";
import { isRecord, safeJsonParse } from "../../util/index.js";
import { imagePart, imagePartUrl, parseDataUrl, type ImageMap } from "./images.js";
import { readToolCallId } from "./tool-call-id.js";

/** One Gemini `Part`. */
export type GeminiPart = Record<string, unknown>;

function invalid(message: string, where: string): InvalidRequestError {
  return new InvalidRequestError(`${where}: ${message}`, { param: where });
}

/**
 * The texts of a system / developer / tool message's `content`: a string, or an array of `text`
 * parts (any other part type is refused). Empty texts are skipped.
 */
export function contentTexts(content: unknown, where: string): string[] {
  if (typeof content === "string") return content === "" ? [] : [content];
  if (content === null || content === undefined) return [];
  if (!Array.isArray(content)) throw invalid("content must be a string or an array of parts.", where);
  return content.flatMap((part, index) => {
    if (isRecord(part) && part["type"] === "text" && typeof part["text"] === "string") {
      return part["text"] === "" ? [] : [part["text"]];
    }
    throw invalid("only text content parts are supported here.", `${where}.content[${index}]`);
  });
}

function audioPart(part: Record<string, unknown>, where: string): GeminiPart {
  const audio = part["input_audio"];
  if (!isRecord(audio) || typeof audio["data"] !== "string" || typeof audio["format"] !== "string") {
    throw invalid("input_audio needs data and format.", where);
  }
  return { inlineData: { mimeType: `audio/${audio["format"]}`, data: audio["data"] } };
}

function filePart(part: Record<string, unknown>, where: string): GeminiPart {
  const file = part["file"];
  const data = isRecord(file) ? file["file_data"] : undefined;
  const inline = typeof data === "string" ? parseDataUrl(data) : null;
  if (inline === null) {
    throw invalid("file parts must carry file_data as a base64 data: URL (file_id is not supported).", where);
  }
  return { inlineData: inline };
}

/**
 * The parts of a user message: text, `image_url` (data URLs inline, https URLs from `images`),
 * `input_audio` (inline `audio/<format>`) and `file` with a base64 `file_data` data URL.
 */
export function userParts(content: unknown, images: ImageMap, where: string): GeminiPart[] {
  if (typeof content === "string") return [{ text: content }];
  if (!Array.isArray(content)) throw invalid("content must be a string or an array of parts.", where);
  return content.map((part, index): GeminiPart => {
    const partWhere = `${where}.content[${index}]`;
    if (!isRecord(part)) throw invalid("a content part must be an object.", partWhere);
    switch (part["type"]) {
      case "text":
        if (typeof part["text"] !== "string") throw invalid("text parts need a text string.", partWhere);
        return { text: part["text"] };
      case "image_url": {
        const url = imagePartUrl(part);
        if (url === null) throw invalid("image_url parts need a url.", partWhere);
        return imagePart(url, images, partWhere);
      }
      case "input_audio":
        return audioPart(part, partWhere);
      case "file":
        return filePart(part, partWhere);
      default:
        throw invalid(
          `content parts of type ${String(part["type"])} are not supported by Gemini.`,
          partWhere,
        );
    }
  });
}

/** `arguments` JSON text → a Gemini `args` object; invalid JSON or a non-object gives `{}`. */
function parseArguments(text: unknown): Record<string, unknown> {
  const parsed = typeof text === "string" ? safeJsonParse(text) : text;
  return isRecord(parsed) ? parsed : {};
}

/**
 * The parts of an assistant message: its text (and refusal) parts, then one `functionCall` part per
 * tool call, with Gemini's call id and the `thoughtSignature` decoded from ids we minted. Records
 * each call's name under its id in `toolNames`, for the tool results that follow.
 */
export function assistantParts(
  message: Record<string, unknown>,
  toolNames: Map<string, string>,
  where: string,
): GeminiPart[] {
  const content = message["content"];
  const parts: GeminiPart[] = [];
  if (typeof content === "string") {
    if (content !== "") parts.push({ text: content });
  } else if (Array.isArray(content)) {
    for (const part of content) {
      if (!isRecord(part)) continue;
      const text = part["type"] === "refusal" ? part["refusal"] : part["text"];
      if (typeof text === "string" && text !== "") parts.push({ text });
    }
  }
  const toolCalls = message["tool_calls"];
  if (!Array.isArray(toolCalls)) return parts;
  toolCalls.forEach((call, index) => {
    const callWhere = `${where}.tool_calls[${index}]`;
    const fn = isRecord(call) ? call["function"] : undefined;
    if (!isRecord(call) || !isRecord(fn) || typeof fn["name"] !== "string") {
      throw invalid("tool calls need a function with a name.", callWhere);
    }
    const id = typeof call["id"] === "string" ? call["id"] : null;
    const ref = id === null ? null : readToolCallId(id);
    if (id !== null) toolNames.set(id, fn["name"]);
    const functionCall: Record<string, unknown> = {};
    if (ref?.geminiId) functionCall["id"] = ref.geminiId;
    functionCall["name"] = fn["name"];
    functionCall["args"] = parseArguments(fn["arguments"]);
    parts.push(
      ref?.thoughtSignature ? { functionCall, thoughtSignature: ref.thoughtSignature } : { functionCall },
    );
  });
  return parts;
}

/** A tool result as the object Gemini requires: the content's JSON object, or `{result: text}`. */
function toolResponse(text: string): Record<string, unknown> {
  const parsed = safeJsonParse(text);
  return isRecord(parsed) ? parsed : { result: text };
}

/**
 * The `functionResponse` part of a `tool` message. Gemini needs the function name, which OpenAI
 * only puts on the assistant's tool call: it is looked up by `tool_call_id` among the earlier
 * calls (none → `InvalidRequestError` naming the id).
 */
export function toolResultPart(
  message: Record<string, unknown>,
  toolNames: ReadonlyMap<string, string>,
  where: string,
): GeminiPart {
  const id = message["tool_call_id"];
  if (typeof id !== "string") throw invalid("tool messages need a tool_call_id.", where);
  const name = toolNames.get(id);
  if (name === undefined) {
    throw invalid(
      `no earlier assistant tool call has the id '${id}' (tool_call_id).`,
      `${where}.tool_call_id`,
    );
  }
  const response = toolResponse(contentTexts(message["content"], where).join(""));
  const geminiId = readToolCallId(id).geminiId;
  return { functionResponse: geminiId === null ? { name, response } : { id: geminiId, name, response } };
}

/** The `functionResponse` part of a deprecated `function` message (it names the function itself). */
export function functionResultPart(message: Record<string, unknown>, where: string): GeminiPart {
  const name = message["name"];
  if (typeof name !== "string") throw invalid("function messages need a name.", where);
  return {
    functionResponse: { name, response: toolResponse(contentTexts(message["content"], where).join("")) },
  };
}
