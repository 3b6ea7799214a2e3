/** Loads the captured-shape Gemini payloads under `./fixtures/`. */
import { readFileSync } from "node:fs";
import { decodeSse, type SseMessage } from "../../../src/util/sse.js";

function fixtureText(name: string): string {
  return readFileSync(new URL(`./fixtures/${name}`, import.meta.url), "utf8");
}

/** A JSON fixture, parsed. */
export function loadJson(name: string): Record<string, unknown> {
  return JSON.parse(fixtureText(name)) as Record<string, unknown>;
}

/** An `.sse` fixture decoded by the project's SSE decoder, as the stream mapper receives it. */
export async function loadSse(name: string): Promise<SseMessage[]> {
  const bytes = new TextEncoder().encode(fixtureText(name));
  async function* body(): AsyncGenerator<Uint8Array> {
    yield bytes;
  }
  const messages: SseMessage[] = [];
  for await (const batch of decodeSse(body())) messages.push(...batch);
  return messages;
}

/** An id source that returns `id1`, `id2`, … in order. */
export function counterIds(prefix = "id"): () => string {
  let next = 0;
  return () => {
    next += 1;
    return `${prefix}${next}`;
  };
}
