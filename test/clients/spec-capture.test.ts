/** The raw-response validation used by the client tests rejects what the spec rejects. */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SpecCapture, sseData } from "./spec-capture.js";

const chunk = (finishReason: string | null) =>
  JSON.stringify({
    id: "c1",
    object: "chat.completion.chunk",
    created: 1,
    model: "m",
    choices: [{ index: 0, delta: { content: "x" }, finish_reason: finishReason }],
  });

const bodies: Record<string, { type: string; body: string }> = {
  "/v1/chat/completions": {
    type: "application/json",
    body: JSON.stringify({ id: "c1", object: "chat.completion", created: 1, model: "m" }),
  },
  "/v1/stream": {
    type: "text/event-stream",
    body: `data: ${chunk(null)}\n\ndata: ${chunk("finished")}\n\ndata: [DONE]\n\ndata: ${chunk(null)}\n\n`,
  },
  "/v1/embeddings": {
    type: "application/json",
    body: JSON.stringify({
      object: "list",
      model: "e",
      data: [{ object: "embedding", index: 0, embedding: Buffer.from([1, 2, 3, 4, 5]).toString("base64") }],
      usage: { prompt_tokens: 1, total_tokens: 1 },
    }),
  },
};

let server: Server;
let base: string;

beforeAll(async () => {
  server = createServer((request, response) => {
    const answer = bodies[request.url ?? ""];
    response.writeHead(answer ? 200 : 404, { "content-type": answer?.type ?? "application/json" });
    response.end(answer?.body ?? JSON.stringify({ error: { message: "no" } }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

async function failures(path: string): Promise<string> {
  const capture = new SpecCapture();
  const response = await capture.fetch(`${base}${path}`, { method: "POST", body: "{}" });
  await response.text();
  return capture.settle().then(
    () => "no failure",
    (error: unknown) => String(error),
  );
}

describe("SpecCapture", () => {
  it("rejects a chat completion without choices", async () => {
    expect(await failures("/v1/chat/completions")).toMatch(/must have required property 'choices'/);
  });

  it("rejects a bad finish_reason in a stream and any event after [DONE]", async () => {
    const message = await failures("/v1/stream");
    expect(message).toMatch(
      /event #2: .*CreateChatCompletionStreamResponse[\s\S]*\/choices\/0\/finish_reason/,
    );
    expect(message).toMatch(/SSE event after data: \[DONE\]/);
  });

  it("rejects a base64 embedding that is not whole float32 values, and an incomplete error body", async () => {
    expect(await failures("/v1/embeddings")).toMatch(/not a float32 array/);
    expect(await failures("/v1/missing")).toMatch(/ErrorResponse[\s\S]*must have required property 'type'/);
  });

  it("splits SSE text into complete data payloads only", () => {
    expect(sseData('data: {"a":1}\n\n: comment\n\ndata: [DONE]\n\ndata: {"par')).toEqual([
      '{"a":1}',
      "[DONE]",
    ]);
  });
});
