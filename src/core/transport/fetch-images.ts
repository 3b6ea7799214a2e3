import type { Dispatcher } from "undici";
import { InvalidRequestError } from "../../errors/index.js";

/** Largest image we download to inline (Gemini's inline limit is 20 MB per request). */
const maxImageBytes = 20 * 1024 * 1024;

/**
 * Downloads https images to inline them (Gemini only takes its own file URIs). Bounded in size and
 * aborted with the attempt; a failed download is the caller's bad request.
 */
export async function fetchImages(
  dispatcher: Dispatcher,
  urls: readonly string[],
  signal: AbortSignal,
): Promise<Map<string, { mimeType: string; data: string }>> {
  const images = new Map<string, { mimeType: string; data: string }>();
  await Promise.all(
    urls.map(async (url) => {
      const parsed = new URL(url);
      let response: Dispatcher.ResponseData;
      try {
        response = await dispatcher.request({
          origin: parsed.origin,
          path: `${parsed.pathname}${parsed.search}`,
          method: "GET",
          signal,
        });
      } catch (error) {
        throw new InvalidRequestError(
          `Could not download image ${parsed.origin}${parsed.pathname}: ${(error as Error).message}`,
          { param: "messages" },
        );
      }
      if (response.statusCode >= 400) {
        await response.body.dump();
        throw new InvalidRequestError(
          `Could not download image ${parsed.origin}${parsed.pathname}: HTTP ${response.statusCode}`,
          { param: "messages" },
        );
      }
      const parts: Buffer[] = [];
      let size = 0;
      for await (const part of response.body) {
        size += (part as Buffer).length;
        if (size > maxImageBytes) {
          response.body.destroy();
          throw new InvalidRequestError(
            `Image ${parsed.origin}${parsed.pathname} is larger than ${maxImageBytes} bytes.`,
            { param: "messages" },
          );
        }
        parts.push(part as Buffer);
      }
      const type = response.headers["content-type"];
      const mimeType = (Array.isArray(type) ? type[0] : type)?.split(";")[0]?.trim() || "image/png";
      images.set(url, { mimeType, data: Buffer.concat(parts).toString("base64") });
    }),
  );
  return images;
}
