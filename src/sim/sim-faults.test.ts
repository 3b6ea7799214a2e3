import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError, InternalServerError } from "openai";
import type { ChatCompletionChunk } from "openai/resources/chat/completions";
import { afterEach, describe, expect, it, vi } from "vitest";
import { startSimulator } from "./index.js";
import type { Simulator, SimulatorOptions } from "./index.js";

let sim: Simulator | undefined;

async function start(options?: SimulatorOptions): Promise<Simulator> {
  sim = await startSimulator(options);
  return sim;
}

afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

function client(target: Simulator, apiKey = "k1"): OpenAI {
  return new OpenAI({ baseURL: target.url, apiKey, maxRetries: 0 });
}

const messages = [{ role: "user" as const, content: "Say hello" }];

function post(target: Simulator, body: unknown, signal?: AbortSignal, key = "k1"): Promise<Response> {
  return fetch(`${target.url}/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify(body),
    ...(signal === undefined ? {} : { signal }),
  });
}

/** Reads a body until it ends, fails, or `until` holds for the text so far; never throws. */
async function readBody(
  response: Response,
  until?: (text: string) => boolean,
): Promise<{ text: string; outcome: "end" | "error" | "until" }> {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let text = "";
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return { text, outcome: "end" };
      text += decoder.decode(value, { stream: true });
      if (until?.(text) === true) return { text, outcome: "until" };
    }
  } catch {
    return { text, outcome: "error" };
  } finally {
    reader.releaseLock();
  }
}

/** Whether a read of `response` stays pending for `ms`. */
async function staysSilent(response: Response, ms: number): Promise<boolean> {
  const reader = response.body!.getReader();
  const silent = await Promise.race([
    reader.read().then(
      () => false,
      () => false,
    ),
    new Promise<boolean>((resolve) => setTimeout(() => resolve(true), ms)),
  ]);
  reader.releaseLock();
  return silent;
}

const contentChunks = (text: string): number => (text.match(/"delta":\{"content":/g) ?? []).length;
const stream = { model: "m", messages, stream: true as const };

describe("faults", () => {
  it("answers a status fault once, with its headers and default OpenAI body", async () => {
    const target = await start();
    target.addFault({ kind: "status", status: 503, times: 1, headers: { "x-should-retry": "false" } });
    const error = await client(target)
      .chat.completions.create({ model: "m", messages })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InternalServerError);
    expect((error as APIError).status).toBe(503);
    expect((error as APIError).type).toBe("server_error");
    expect((error as APIError).headers?.get("x-should-retry")).toBe("false");
    const ok = await client(target).chat.completions.create({ model: "m", messages });
    expect(ok.choices[0]?.message.content).toBe("Hello from m via key k1.");
    expect(target.requests.map((record) => record.status)).toEqual([503, 200]);
  });

  it("counts times down, matches key and model, and lets the first match win", async () => {
    const target = await start();
    target.addFault({ kind: "status", status: 500, key: "k2", times: 2 });
    target.addFault({ kind: "status", status: 418, model: "other", body: { custom: true } });
    target.addFault({ kind: "status", status: 502, model: "other" });
    const statuses: number[] = [];
    for (const [key, model] of [
      ["k1", "m"],
      ["k2", "m"],
      ["k2", "other"],
      ["k2", "other"],
      ["k1", "other"],
    ] as const) {
      const response = await post(target, { model, messages }, undefined, key);
      statuses.push(response.status);
      if (response.status === 418) expect(await response.json()).toEqual({ custom: true });
    }
    expect(statuses).toEqual([200, 500, 500, 418, 418]);
    target.clearFaults();
    expect((await post(target, { model: "other", messages })).status).toBe(200);
  });

  it("resets the connection", async () => {
    const target = await start();
    target.addFault({ kind: "reset", times: 1 });
    const error = await client(target)
      .chat.completions.create({ model: "m", messages })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(APIConnectionError);
    expect(target.requests[0]?.status).toBe(0);
    expect((await client(target).chat.completions.create({ model: "m", messages })).object).toBe(
      "chat.completion",
    );
  });

  it("hangs until the client times out, recording the abort", async () => {
    const target = await start();
    target.addFault({ kind: "hang" });
    const error = await client(target)
      .chat.completions.create({ model: "m", messages }, { timeout: 150 })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(APIConnectionTimeoutError);
    await vi.waitFor(() => expect(target.requests[0]?.aborted).toBe(true), { timeout: 2000, interval: 10 });
    expect(target.requests[0]?.status).toBe(0);
  });

  it("cuts a stream after afterChunks chunks, without finish_reason or [DONE]", async () => {
    const target = await start();
    target.addFault({ kind: "cut", afterChunks: 3, times: 1 });
    const { text, outcome } = await readBody(await post(target, stream));
    expect(outcome).toBe("error");
    expect(contentChunks(text)).toBe(3);
    expect(text).not.toContain('"finish_reason":"stop"');
    expect(text).not.toContain("[DONE]");
    expect(target.requests[0]?.aborted).toBe(false);

    target.addFault({ kind: "cut", times: 1 });
    const chunks: ChatCompletionChunk[] = [];
    const error = await (async () => {
      for await (const chunk of await client(target).chat.completions.create(stream)) chunks.push(chunk);
    })().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Error);
    expect(chunks.map((chunk) => chunk.choices[0]?.delta.content)).toEqual(["", "Hello from m", " via"]);
  });

  it("cuts a non-stream answer halfway", async () => {
    const target = await start();
    target.addFault({ kind: "cut" });
    const response = await post(target, { model: "m", messages });
    expect(response.status).toBe(200);
    const length = Number(response.headers.get("content-length"));
    const { text, outcome } = await readBody(response);
    expect(outcome).toBe("error");
    expect(text.length).toBe(Math.floor(length / 2));
    const error = await client(target)
      .chat.completions.create({ model: "m", messages })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Error);
  });

  it("stalls a stream with the socket open, and records the client abort", async () => {
    const target = await start();
    target.addFault({ kind: "stall", afterChunks: 1 });
    const controller = new AbortController();
    const response = await post(target, stream, controller.signal);
    const { text, outcome } = await readBody(response, (sofar) => contentChunks(sofar) >= 1);
    expect(outcome).toBe("until");
    expect(await staysSilent(response, 150)).toBe(true);
    expect(contentChunks(text)).toBe(1);
    expect(target.requests[0]?.aborted).toBe(false);
    controller.abort();
    await vi.waitFor(() => expect(target.requests[0]?.aborted).toBe(true), { timeout: 2000, interval: 10 });
  });

  it("inserts one malformed event and continues", async () => {
    const target = await start();
    target.addFault({ kind: "malformed", times: 1 });
    const text = await (await post(target, stream)).text();
    const events = text.split("\n\n");
    const bad = events.indexOf("data: {not json");
    expect(bad).toBe(3);
    expect(events.filter((event) => event === "data: {not json")).toHaveLength(1);
    expect(contentChunks(text)).toBe(5);
    expect(text.endsWith("data: [DONE]\n\n")).toBe(true);
  });

  it("ends a stream without [DONE], or keeps it open", async () => {
    const target = await start();
    target.addFault({ kind: "no-done", times: 1 });
    const text = await (await post(target, { ...stream, stream_options: { include_usage: true } })).text();
    expect(text).toContain('"finish_reason":"stop"');
    expect(text).toContain('"choices":[],"usage":{');
    expect(text).not.toContain("[DONE]");
    const sdkChunks = [];
    target.addFault({ kind: "no-done", times: 1 });
    for await (const chunk of await client(target).chat.completions.create(stream)) sdkChunks.push(chunk);
    expect(sdkChunks).toHaveLength(7);

    target.addFault({ kind: "no-done", keepOpen: true, times: 1 });
    const controller = new AbortController();
    const response = await post(target, stream, controller.signal);
    const open = await readBody(response, (sofar) => sofar.includes('"finish_reason":"stop"'));
    expect(open.outcome).toBe("until");
    expect(await staysSilent(response, 150)).toBe(true);
    controller.abort();
  });

  it("sends an in-band stream error the SDK throws", async () => {
    const target = await start();
    target.addFault({ kind: "stream-error", times: 1 });
    const text = await (await post(target, stream)).text();
    expect(contentChunks(text)).toBe(2);
    expect(text).toMatch(
      /data: \{"error":\{"message":"[^"]+","type":"server_error","param":null,"code":null\}\}\n\n$/,
    );
    target.addFault({ kind: "stream-error", times: 1 });
    const chunks: ChatCompletionChunk[] = [];
    const error = await (async () => {
      for await (const chunk of await client(target).chat.completions.create(stream)) chunks.push(chunk);
    })().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(APIError);
    expect((error as APIError).message).toContain("simulated");
    expect(chunks).toHaveLength(3);
  });

  it("cuts an answer short with content_filter for safety, and ignores blocked", async () => {
    const target = await start();
    target.addFault({ kind: "blocked" });
    target.addFault({ kind: "safety", times: 2 });
    const completion = await client(target).chat.completions.create({ model: "m", messages });
    expect(completion.choices[0]?.message.content).toBe("Hello from m via");
    expect(completion.choices[0]?.finish_reason).toBe("content_filter");
    expect(completion.usage?.completion_tokens).toBe(2);
    const text = await (await post(target, stream)).text();
    expect(contentChunks(text)).toBe(2);
    expect(text).toContain('"finish_reason":"content_filter"');
    expect(
      (await client(target).chat.completions.create({ model: "m", messages })).choices[0]?.finish_reason,
    ).toBe("stop");
  });

  it("applies status, reset and hang faults to embeddings, but not stream faults", async () => {
    const target = await start();
    target.addFault({ kind: "cut" });
    const embeddings = await client(target).embeddings.create({ model: "e", input: "x" });
    expect(embeddings.data).toHaveLength(1);
    target.clearFaults();
    target.addFault({ kind: "status", status: 429, times: 1 });
    const error = await client(target)
      .embeddings.create({ model: "e", input: "x" })
      .catch((caught: unknown) => caught);
    expect((error as APIError).status).toBe(429);
    expect((error as APIError).code).toBe("rate_limit_exceeded");
  });

  it("closes promptly with a hung request open", async () => {
    const target = await start();
    target.addFault({ kind: "hang" });
    const pending = post(target, { model: "m", messages }).then(
      () => "answered",
      () => "failed",
    );
    await vi.waitFor(() => expect(target.requests).toHaveLength(1), { timeout: 2000, interval: 5 });
    const started = Date.now();
    await target.close();
    expect(Date.now() - started).toBeLessThan(1000);
    expect(await pending).toBe("failed");
    expect(target.requests[0]?.aborted).toBe(false);
  });

  it("stops streaming when the client disconnects", async () => {
    const target = await start({ chunkDelayMs: 40, chunks: 20 });
    const controller = new AbortController();
    const response = await post(target, stream, controller.signal);
    await readBody(response, (sofar) => contentChunks(sofar) >= 1);
    controller.abort();
    await vi.waitFor(() => expect(target.requests[0]?.aborted).toBe(true), { timeout: 2000, interval: 10 });
  });
});
