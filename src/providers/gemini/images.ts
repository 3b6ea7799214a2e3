import { InvalidRequestError } from "../../errors/index.js";
import type { ChatRequest } from "../../types/index.js";
import { isRecord } from "../../util/index.js";

/** A downloaded (or data-URL) file, ready to inline as a Gemini `Blob`. */
export interface InlineFile {
  mimeType: string;
  data: string;
}

/** Downloaded https images by URL. */
export type ImageMap = ReadonlyMap<string, InlineFile>;

const dataUrlPattern = /^data:([^;,]+)((?:;[^;,]*)*),(.*)$/s;

/** True for an `https:` URL, the only remote form llmux downloads and inlines. */
export function isFetchableUrl(url: string): boolean {
  return /^https:\/\//i.test(url);
}

/** `data:<mime>[;params];base64,<data>` → its MIME type and base64 data; null for anything else. */
export function parseDataUrl(url: string): InlineFile | null {
  const match = dataUrlPattern.exec(url);
  if (match === null) return null;
  const [, mimeType = "", params = "", data = ""] = match;
  if (!params.split(";").includes("base64") || data === "") return null;
  return { mimeType: mimeType.trim().toLowerCase(), data: data.replace(/\s+/g, "") };
}

/** The URL of an `image_url` part (`{image_url: {url}}`, or the legacy `{image_url: "<url>"}`). */
export function imagePartUrl(part: Record<string, unknown>): string | null {
  const image = part["image_url"];
  if (typeof image === "string") return image;
  if (isRecord(image) && typeof image["url"] === "string") return image["url"];
  return null;
}

/**
 * The https image URLs of a chat request (user `image_url` parts), in order, without duplicates:
 * Gemini's `fileData` only takes Files-API URIs, so the caller downloads these and passes them to
 * `toGeminiRequest` as `images` to be sent inline. `data:` URLs need no download.
 */
export function imageUrlsToFetch(request: ChatRequest): string[] {
  const urls = new Set<string>();
  const messages: unknown = request.messages;
  if (!Array.isArray(messages)) return [];
  for (const message of messages) {
    if (!isRecord(message) || message["role"] !== "user" || !Array.isArray(message["content"])) continue;
    for (const part of message["content"]) {
      if (!isRecord(part) || part["type"] !== "image_url") continue;
      const url = imagePartUrl(part);
      if (url !== null && isFetchableUrl(url)) urls.add(url);
    }
  }
  return [...urls];
}

/**
 * A Gemini `inlineData` part for an image URL: a base64 `data:` URL directly, an https URL from
 * `images` (a missing one is an `InvalidRequestError`); other schemes are refused.
 */
export function imagePart(url: string, images: ImageMap, where: string): Record<string, unknown> {
  if (url.startsWith("data:")) {
    const inline = parseDataUrl(url);
    if (inline === null) {
      throw new InvalidRequestError(`${where}: the image data URL must be base64 ("data:<mime>;base64,…").`, {
        param: where,
      });
    }
    return { inlineData: inline };
  }
  if (!isFetchableUrl(url)) {
    throw new InvalidRequestError(`${where}: image URLs must be https or data: URLs for Gemini.`, {
      param: where,
    });
  }
  const image = images.get(url);
  if (image === undefined) {
    throw new InvalidRequestError(`${where}: the image ${url} could not be downloaded for Gemini.`, {
      param: where,
    });
  }
  return { inlineData: { mimeType: image.mimeType, data: image.data } };
}
