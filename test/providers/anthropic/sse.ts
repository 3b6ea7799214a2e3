import { decodeSse, type SseMessage } from "../../../src/util/index.js";

/** Decodes an SSE fixture text into its messages, the way a target reads an upstream body. */
export async function sseMessages(text: string): Promise<SseMessage[]> {
  async function* body(): AsyncGenerator<Uint8Array> {
    yield new TextEncoder().encode(text);
  }
  const messages: SseMessage[] = [];
  for await (const batch of decodeSse(body())) messages.push(...batch);
  return messages;
}
