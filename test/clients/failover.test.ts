/**
 * Failover, commit point and client disconnect as a real client (the `openai` SDK) sees them.
 */
import OpenAI from "openai";
import type { ChatCompletionChunk, ChatCompletionMessageParam } from "openai/resources/chat/completions";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { validateOpenAI } from "../helpers/openai-spec.js";
import { SpecCapture } from "./spec-capture.js";
import { CLIENT_KEY, KEYS, startStack, type Stack } from "./stack.js";

let stack: Stack;
let client: OpenAI;
const capture = new SpecCapture();

beforeAll(async () => {
  stack = await startStack();
  client = new OpenAI({ baseURL: stack.baseURL, apiKey: CLIENT_KEY, maxRetries: 0, fetch: capture.fetch });
});
afterAll(async () => {
  await stack.close();
});
afterEach(async () => {
  stack.reset();
  await capture.verifyAndClear();
});

const hi: ChatCompletionMessageParam[] = [{ role: "user", content: "hi" }];

function content(chunks: readonly ChatCompletionChunk[]): string {
  return chunks.map((c) => c.choices[0]?.delta.content ?? "").join("");
}

describe("failover seen by the openai SDK", () => {
  it("a 429 on the first key still gives a 200 from the other key's deployment", async () => {
    stack.sim.addFault({ kind: "status", key: KEYS.a, status: 429, headers: { "retry-after": "20" } });
    const { data, response } = await client.chat.completions
      .create({ model: "chat", messages: hi })
      .withResponse();
    validateOpenAI("CreateChatCompletionResponse", data);
    expect(response.status).toBe(200);
    expect(response.headers.get("x-llmux-deployment")).toBe("b/gpt-4o-mini");
    expect(response.headers.get("x-llmux-attempts")).toBe("2");
    expect(data.choices[0]?.message.content).toBe("Hello from gpt-4o-mini via key b002.");
    expect(stack.sim.requests.map((r) => [r.key, r.status])).toEqual([
      [KEYS.a, 429],
      [KEYS.b, 200],
    ]);
    const records = await capture.settle();
    expect(records.map((r) => r.status)).toEqual([200]);
  });

  it("a 429 before the first streamed byte fails a stream over too", async () => {
    stack.sim.addFault({ kind: "status", key: KEYS.a, status: 429, headers: { "retry-after": "20" } });
    const { data: stream, response } = await client.chat.completions
      .create({ model: "chat", messages: hi, stream: true })
      .withResponse();
    expect(response.headers.get("x-llmux-deployment")).toBe("b/gpt-4o-mini");
    const chunks: ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(content(chunks)).toBe("Hello from gpt-4o-mini via key b002.");
    const [record] = await capture.settle();
    expect(record?.done).toBe(true);
  });

  it("a revoked key (401) fails over, and the next request skips it", async () => {
    stack.sim.addFault({ kind: "status", key: KEYS.a, status: 401 });
    const first = await client.chat.completions.create({ model: "chat", messages: hi }).withResponse();
    expect(first.response.headers.get("x-llmux-deployment")).toBe("b/gpt-4o-mini");
    const second = await client.chat.completions.create({ model: "chat", messages: hi }).withResponse();
    expect(second.response.headers.get("x-llmux-deployment")).toBe("b/gpt-4o-mini");
    expect(second.response.headers.get("x-llmux-attempts")).toBe("1");
    expect(stack.sim.requests.map((r) => [r.key, r.status])).toEqual([
      [KEYS.a, 401],
      [KEYS.b, 200],
      [KEYS.b, 200],
    ]);
  });

  it("a 503 on the first key fails a streamed answer over to the other key", async () => {
    stack.sim.addFault({ kind: "status", key: KEYS.a, status: 503, times: 1 });
    const stream = await client.chat.completions.create({
      model: "chat",
      messages: hi,
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks: ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(content(chunks)).toBe("Hello from gpt-4o-mini via key b002.");
    expect(chunks.at(-1)?.usage?.completion_tokens).toBe(5);
    expect(stack.sim.requests.map((r) => r.status)).toEqual([503, 200]);
  });
});

describe("after the commit point (openai SDK streams)", () => {
  it("a malformed upstream event is dropped, so the SDK (which would throw on it) gets the whole answer", async () => {
    stack.sim.addFault({ kind: "malformed", key: KEYS.a, afterChunks: 2 });
    const stream = await client.chat.completions.create({ model: "chat", messages: hi, stream: true });
    const chunks: ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(content(chunks)).toBe("Hello from gpt-4o-mini via key a001.");
    expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe("stop");
    const [record] = await capture.settle();
    expect(record?.done).toBe(true);
  });

  it("a stream cut after the first chunks is finished on the other key: one stream, one id, one role, [DONE]", async () => {
    stack.sim.addFault({ kind: "cut", key: KEYS.a, afterChunks: 2 });
    const stream = await client.chat.completions.create({ model: "chat", messages: hi, stream: true });
    const chunks: ChatCompletionChunk[] = [];
    for await (const chunk of stream) {
      validateOpenAI("CreateChatCompletionStreamResponse", chunk);
      chunks.push(chunk);
    }
    expect(content(chunks)).toBe("Hello from gpt-4o-mini via key b002.");
    expect(new Set(chunks.map((c) => c.id)).size).toBe(1);
    expect(chunks.filter((c) => c.choices[0]?.delta?.role !== undefined)).toHaveLength(1);
    expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe("stop");
    // The continuation asked the other key to go on after the text already sent (assistant prefill).
    expect(stack.sim.requests.map((r) => r.key)).toEqual([KEYS.a, KEYS.b]);
    const messages = (stack.sim.requests[1]?.body as { messages: unknown[] }).messages;
    expect(messages.at(-1)).toEqual({ role: "assistant", content: "Hello from gpt-4o-mini via" });
    const [record] = await capture.settle();
    expect(record?.done).toBe(true);
  });

  it("an upstream in-band stream error after the first content is finished the same way", async () => {
    stack.sim.addFault({ kind: "stream-error", key: KEYS.a, afterChunks: 1 });
    const stream = await client.chat.completions.create({ model: "chat", messages: hi, stream: true });
    const chunks: ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(content(chunks)).toBe("Hello from gpt-4o-mini via key b002.");
    const [record] = await capture.settle();
    expect(record?.done).toBe(true);
  });
});

describe("client disconnect", () => {
  it("aborting the SDK call mid-stream aborts the upstream request", async () => {
    stack.sim.addFault({ kind: "stall", key: KEYS.a, afterChunks: 1 });
    const controller = new AbortController();
    const stream = await client.chat.completions.create(
      { model: "chat", messages: hi, stream: true },
      { signal: controller.signal },
    );
    const chunks: ChatCompletionChunk[] = [];
    // The SDK ends its iterator quietly when the caller aborts.
    for await (const chunk of stream) {
      chunks.push(chunk);
      if (chunk.choices[0]?.delta.content) controller.abort();
    }
    expect(content(chunks)).toBe("Hello from gpt-4o-mini");
    await expect.poll(() => stack.sim.requests[0]?.aborted, { timeout: 2000 }).toBe(true);
    expect(stack.sim.requests).toHaveLength(1);
    const [record] = await capture.settle();
    expect(record?.readError).not.toBeNull();
  });

  it("breaking out of the SDK iterator aborts the upstream request", async () => {
    stack.sim.addFault({ kind: "stall", key: KEYS.a, afterChunks: 2 });
    const stream = await client.chat.completions.create({ model: "chat", messages: hi, stream: true });
    let received = 0;
    for await (const chunk of stream) {
      received += chunk.choices[0]?.delta.content ? 1 : 0;
      if (received === 2) break;
    }
    expect(received).toBe(2);
    await expect.poll(() => stack.sim.requests[0]?.aborted, { timeout: 2000 }).toBe(true);
    expect(stack.sim.requests).toHaveLength(1);
  });

  it("aborting a non-stream call while the upstream hangs aborts the upstream, without failover", async () => {
    stack.sim.addFault({ kind: "hang", key: KEYS.a });
    const controller = new AbortController();
    const pending = client.chat.completions.create(
      { model: "chat", messages: hi },
      { signal: controller.signal },
    );
    await expect.poll(() => stack.sim.requests.length, { timeout: 2000 }).toBe(1);
    controller.abort();
    await expect(pending).rejects.toBeInstanceOf(OpenAI.APIUserAbortError);
    await expect.poll(() => stack.sim.requests[0]?.aborted, { timeout: 2000 }).toBe(true);
    expect(stack.sim.requests.map((r) => r.key)).toEqual([KEYS.a]);
  });
});
