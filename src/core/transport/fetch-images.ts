import type { Dispatcher } from "undici";
import { UnsendableRequestError } from "../../errors/index.js";

/** Largest image we download to inline (Gemini's inline limit is 20 MB per request). */
const maxImageBytes = 20 * 1024 * 1024;

/** An image download failed: the caller linked something we cannot fetch (never the upstream's fault). */
function cannotFetch(where: string, reason: string, cause?: unknown): UnsendableRequestError {
  return new UnsendableRequestError(`Could not download image ${where}: ${reason}`, {
    param: "messages",
    cause,
  });
}

async function fetchOne(
  dispatcher: Dispatcher,
  url: string,
  signal: AbortSignal,
): Promise<{ mimeType: string; data: string }> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (error) {
    throw cannotFetch(url.slice(0, 200), "not a valid URL", error);
  }
  const where = `${parsed.origin}${parsed.pathname}`;
  let response: Dispatcher.ResponseData;
  try {
    response = await dispatcher.request({
      origin: parsed.origin,
      path: `${parsed.pathname}${parsed.search}`,
      method: "GET",
      signal,
    });
  } catch (error) {
    throw cannotFetch(where, (error as Error).message, error);
  }
  if (response.statusCode >= 400) {
    await response.body.dump();
    throw cannotFetch(where, `HTTP ${response.statusCode}`);
  }
  const parts: Buffer[] = [];
  let size = 0;
  try {
    for await (const part of response.body) {
      size += (part as Buffer).length;
      if (size > maxImageBytes) {
        response.body.destroy();
        throw new UnsendableRequestError(`Image ${where} is larger than ${maxImageBytes} bytes.`, {
          param: "messages",
        });
      }
      parts.push(part as Buffer);
    }
  } catch (error) {
    if (error instanceof UnsendableRequestError) throw error;
    throw cannotFetch(where, (error as Error).message, error);
  }
  const type = response.headers["content-type"];
  const mimeType = (Array.isArray(type) ? type[0] : type)?.split(";")[0]?.trim() || "image/png";
  return { mimeType, data: Buffer.concat(parts).toString("base64") };
}

/**
 * Downloads https images to inline them (Gemini only takes its own file URIs). Bounded in size and
 * aborted with the attempt; a failed download is the caller's `UnsendableRequestError`: it is
 * returned at once, and never counts against the Gemini deployment.
 */
export async function fetchImages(
  dispatcher: Dispatcher,
  urls: readonly string[],
  signal: AbortSignal,
): Promise<Map<string, { mimeType: string; data: string }>> {
  const images = new Map<string, { mimeType: string; data: string }>();
  await Promise.all(
    urls.map(async (url) => {
      images.set(url, await fetchOne(dispatcher, url, signal));
    }),
  );
  return images;
}
