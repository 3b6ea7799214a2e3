import { InvalidRequestError } from "../../errors/index.js";
import { isRecord } from "../../util/index.js";
import { stringField, type JsonObject } from "./fields.js";

/** The image types Anthropic accepts in a base64 source. */
const imageMediaTypes = new Set(["image/jpeg", "image/png", "image/gif", "image/webp"]);

function describe(value: unknown): string {
  if (value === null) return "null";
  return Array.isArray(value) ? "array" : typeof value;
}

/** A text block, carrying the part's `cache_control` (an OpenRouter-style extension) when it has one. */
function textBlock(part: JsonObject, param: string): JsonObject[] {
  const text = part["text"];
  if (typeof text !== "string") throw new InvalidRequestError(`${param}.text must be a string.`, { param });
  if (text === "") return []; // Anthropic rejects empty text blocks.
  const cacheControl = part["cache_control"];
  return [
    isRecord(cacheControl) ? { type: "text", text, cache_control: cacheControl } : { type: "text", text },
  ];
}

/** `data:<mime>;base64,<data>` → a base64 image source; `http(s)://…` → a URL source. `detail` is dropped. */
function imageBlock(imageUrl: unknown, param: string): JsonObject {
  const url = typeof imageUrl === "string" ? imageUrl : stringField(imageUrl, "url");
  if (url === null) throw new InvalidRequestError(`${param}.url must be a string.`, { param });
  if (/^https?:\/\//i.test(url)) return { type: "image", source: { type: "url", url } };
  const match = /^data:([^;,]*)((?:;[^;,]*)*),(.*)$/is.exec(url);
  if (match === null) {
    throw new InvalidRequestError(`${param}.url must be an https URL or a base64 data URL.`, { param });
  }
  const mime = (match[1] ?? "").toLowerCase();
  const mediaType = mime === "image/jpg" ? "image/jpeg" : mime;
  if (!(match[2] ?? "").toLowerCase().split(";").includes("base64")) {
    throw new InvalidRequestError(`${param}.url: only base64 data URLs are supported.`, { param });
  }
  if (!imageMediaTypes.has(mediaType)) {
    throw new InvalidRequestError(
      `${param}.url: image type '${mime}' is not supported by Anthropic (use jpeg, png, gif or webp).`,
      { param },
    );
  }
  return { type: "image", source: { type: "base64", media_type: mediaType, data: match[3] ?? "" } };
}

function userPart(part: unknown, param: string): JsonObject[] {
  if (!isRecord(part)) throw new InvalidRequestError(`${param} must be an object.`, { param });
  const type = part["type"];
  switch (type) {
    case "text":
      return textBlock(part, param);
    case "image_url":
      return [imageBlock(part["image_url"], `${param}.image_url`)];
    case "file":
    case "input_audio":
      throw new InvalidRequestError(`${param}: '${type}' content parts are not supported by Anthropic.`, {
        param,
      });
    default:
      throw new InvalidRequestError(`${param}: unknown content part type ${JSON.stringify(type)}.`, {
        param,
      });
  }
}

/** User (and tool result) content: a string or text / image parts → Anthropic blocks (empty text dropped). */
export function userBlocks(content: unknown, param: string): JsonObject[] {
  if (typeof content === "string") return content === "" ? [] : [{ type: "text", text: content }];
  if (content === null || content === undefined) return [];
  if (!Array.isArray(content)) {
    throw new InvalidRequestError(
      `${param} must be a string or an array of parts, not ${describe(content)}.`,
      {
        param,
      },
    );
  }
  return content.flatMap((part: unknown, index) => userPart(part, `${param}[${index}]`));
}

/** Assistant content: a string or text / refusal parts → text blocks; refusals are dropped. */
export function assistantTextBlocks(content: unknown, param: string): JsonObject[] {
  if (typeof content === "string") return content === "" ? [] : [{ type: "text", text: content }];
  if (!Array.isArray(content)) return [];
  return content.flatMap((part: unknown, index) => {
    const partParam = `${param}[${index}]`;
    if (isRecord(part) && part["type"] === "text") return textBlock(part, partParam);
    if (isRecord(part) && part["type"] === "refusal") return [];
    throw new InvalidRequestError(`${partParam}: assistant content parts must be text or refusal.`, {
      param: partParam,
    });
  });
}

/** System / developer content: a string or text parts → text blocks (keeping `cache_control`). */
export function systemBlocks(content: unknown, param: string): JsonObject[] {
  if (typeof content === "string") return content === "" ? [] : [{ type: "text", text: content }];
  if (!Array.isArray(content)) return [];
  return content.flatMap((part: unknown, index) => {
    const partParam = `${param}[${index}]`;
    if (!isRecord(part) || part["type"] !== "text") {
      throw new InvalidRequestError(`${partParam}: system content parts must be text.`, { param: partParam });
    }
    return textBlock(part, partParam);
  });
}

/**
 * The top-level `system` field from system text blocks: their texts joined with a blank line, or
 * the blocks themselves when any carries `cache_control` (so the cache breakpoint survives);
 * `undefined` when there is none.
 */
export function systemField(blocks: readonly JsonObject[]): string | JsonObject[] | undefined {
  if (blocks.length === 0) return undefined;
  if (blocks.some((block) => block["cache_control"] !== undefined)) return [...blocks];
  return blocks.map((block) => String(block["text"])).join("\n\n");
}
