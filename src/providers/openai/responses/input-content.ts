import { InvalidRequestError } from "../../../errors/index.js";
import { isRecord } from "../../../util/index.js";
import { describe, stringField, type JsonObject } from "./read.js";

/** An OpenAI chat content part. */
export type ChatPart = JsonObject;

/** Text parts of one message are joined with a blank line when they become one chat string. */
export const partSeparator = "\n\n";

function imagePart(part: JsonObject, param: string): ChatPart {
  const url = stringField(part, "image_url");
  if (url === null || url === "") {
    const why = stringField(part, "file_id") === null ? "needs an image_url" : "file_id is not supported";
    throw new InvalidRequestError(
      `${param}: input_image ${why}; send the image as image_url (an https URL or a data URL).`,
      { param },
    );
  }
  const detail = stringField(part, "detail");
  const image: JsonObject = { url };
  if (detail === "low" || detail === "high") image["detail"] = detail;
  return { type: "image_url", image_url: image };
}

function filePart(part: JsonObject, param: string): ChatPart {
  const data = stringField(part, "file_data");
  if (data === null || data === "") {
    throw new InvalidRequestError(
      `${param}: input_file needs file_data (file_id and file_url cannot be resolved for this upstream).`,
      { param },
    );
  }
  return { type: "file", file: { filename: stringField(part, "filename") ?? "file", file_data: data } };
}

/**
 * One Responses content part → a chat part: `input_text` / `output_text` → text, `refusal` →
 * text, `input_image` with `image_url` → `image_url` (`detail` low/high kept), `input_file` with
 * `file_data` → a `file` part. File ids and file URLs cannot be resolved: InvalidRequestError.
 */
export function chatPart(part: unknown, param: string): ChatPart {
  if (!isRecord(part))
    throw new InvalidRequestError(`${param} must be a content part, not ${describe(part)}.`, { param });
  switch (part["type"]) {
    case "input_text":
    case "output_text":
    case "text": {
      const text = part["text"];
      if (typeof text !== "string")
        throw new InvalidRequestError(`${param}.text must be a string.`, { param });
      return { type: "text", text };
    }
    case "refusal":
      return { type: "text", text: stringField(part, "refusal") ?? "" };
    case "input_image":
      return imagePart(part, param);
    case "input_file":
      return filePart(part, param);
    default:
      throw new InvalidRequestError(`${param}: unknown content part type ${JSON.stringify(part["type"])}.`, {
        param,
      });
  }
}

/** Content (a string or parts) → chat parts. */
export function chatParts(content: unknown, param: string): ChatPart[] {
  if (typeof content === "string") return [{ type: "text", text: content }];
  if (!Array.isArray(content)) {
    throw new InvalidRequestError(
      `${param} must be a string or an array of parts, not ${describe(content)}.`,
      {
        param,
      },
    );
  }
  return content.map((part: unknown, index) => chatPart(part, `${param}[${index}]`));
}

/** The texts of text parts joined with {@link partSeparator}. */
export function joinText(parts: readonly ChatPart[]): string {
  return parts
    .filter((part) => part["type"] === "text")
    .map((part) => String(part["text"]))
    .join(partSeparator);
}

/** Parts as chat message content: only text → one string (what every vendor accepts), else the parts. */
export function partsContent(parts: readonly ChatPart[]): string | ChatPart[] {
  return parts.every((part) => part["type"] === "text") ? joinText(parts) : [...parts];
}
