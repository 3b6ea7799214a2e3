import { InvalidRequestError } from "../../../errors/index.js";
import { isRecord } from "../../../util/index.js";
import { field, stringField, type JsonObject } from "../fields.js";
import { describe, requireRecord } from "./read.js";

/** An OpenAI chat content part: `{type: "text", text}`, `{type: "image_url", …}` or `{type: "file", …}`. */
export type ChatPart = JsonObject;

/** Text blocks of one message are joined with a blank line when they become one OpenAI string. */
export const blockSeparator = "\n\n";

function textPart(text: string): ChatPart {
  return { type: "text", text };
}

/** An image block's source → an `image_url` part: base64 → a data URL, `url` → the URL. */
export function imagePart(block: JsonObject, param: string): ChatPart {
  const source = requireRecord(block["source"], `${param}.source`);
  const type = source["type"];
  if (type === "base64") {
    const mediaType = stringField(source, "media_type");
    const data = stringField(source, "data");
    if (mediaType === null || data === null) {
      throw new InvalidRequestError(`${param}.source needs media_type and data.`, {
        param: `${param}.source`,
      });
    }
    return { type: "image_url", image_url: { url: `data:${mediaType};base64,${data}` } };
  }
  if (type === "url") {
    const url = stringField(source, "url");
    if (url === null) throw new InvalidRequestError(`${param}.source.url must be a string.`, { param });
    return { type: "image_url", image_url: { url } };
  }
  throw new InvalidRequestError(
    `${param}.source: image source type ${JSON.stringify(type)} cannot be sent to this upstream (use base64 or url).`,
    { param: `${param}.source` },
  );
}

/** A document title, when there is one, as the first line of the document's text. */
function titled(block: JsonObject, text: string): string {
  const title = stringField(block, "title");
  return title === null || title === "" ? text : `${title}${blockSeparator}${text}`;
}

/**
 * A document block → parts: a base64 PDF → an OpenAI `file` part (`file_data` as a data URL,
 * `filename` from the title or `document.pdf`); plain text → a text part (title first); a
 * `content` source → its text and image blocks. PDF URLs and file ids have no chat counterpart and
 * are refused with an InvalidRequestError.
 */
export function documentParts(block: JsonObject, param: string): ChatPart[] {
  const source = requireRecord(block["source"], `${param}.source`);
  const type = source["type"];
  const data = source["data"];
  if (type === "base64" && typeof data === "string") {
    const mediaType = stringField(source, "media_type") ?? "application/pdf";
    const filename = stringField(block, "title") ?? "document.pdf";
    return [{ type: "file", file: { filename, file_data: `data:${mediaType};base64,${data}` } }];
  }
  if (type === "text" && typeof data === "string") return [textPart(titled(block, data))];
  if (type === "content") {
    const content = source["content"];
    if (typeof content === "string") return [textPart(titled(block, content))];
    if (Array.isArray(content)) {
      return content.flatMap((item: unknown, index) =>
        simpleParts(item, `${param}.source.content[${index}]`),
      );
    }
  }
  throw new InvalidRequestError(
    `${param}: document source type ${JSON.stringify(type)} cannot be sent to this upstream (send a PDF as base64 or the text itself).`,
    { param: `${param}.source` },
  );
}

/** A `search_result` block → one text part: title, source and its text blocks. */
function searchResultPart(block: JsonObject): ChatPart {
  const content = field(block, "content");
  const texts = (Array.isArray(content) ? content : [])
    .map((item: unknown) => stringField(item, "text"))
    .filter((text): text is string => text !== null);
  const heading = [stringField(block, "title"), stringField(block, "source")].filter((part) => part !== null);
  return textPart([...heading, ...texts].join(blockSeparator));
}

/** Text, image, document and search-result blocks (what user turns and tool results hold) → parts. */
export function simpleParts(block: unknown, param: string): ChatPart[] {
  if (!isRecord(block)) {
    throw new InvalidRequestError(`${param} must be a content block, not ${describe(block)}.`, { param });
  }
  switch (block["type"]) {
    case "text": {
      const text = block["text"];
      if (typeof text !== "string")
        throw new InvalidRequestError(`${param}.text must be a string.`, { param });
      return [textPart(text)];
    }
    case "image":
      return [imagePart(block, param)];
    case "document":
      return documentParts(block, param);
    case "search_result":
      return [searchResultPart(block)];
    case "tool_reference":
      return [];
    default:
      throw new InvalidRequestError(
        `${param}: unknown content block type ${JSON.stringify(block["type"])}.`,
        {
          param,
        },
      );
  }
}

/** True when every part is a text part. */
export function allText(parts: readonly ChatPart[]): boolean {
  return parts.every((part) => part["type"] === "text");
}

/** The texts of text parts joined with {@link blockSeparator}. */
export function joinText(parts: readonly ChatPart[]): string {
  return parts.map((part) => String(part["text"])).join(blockSeparator);
}

/** Parts as OpenAI message content: only text → one string (what every vendor accepts), else the parts. */
export function partsContent(parts: readonly ChatPart[]): string | ChatPart[] {
  return allText(parts) ? joinText(parts) : [...parts];
}
