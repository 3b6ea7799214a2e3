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

/** The fields the tests read from Anthropic JSON bodies (Messages and errors). */
interface AnthropicBody {
  content: { type: string; text?: string }[];
  stop_reason: string;
  usage: { output_tokens: number };
  error: { type: string; message: string };
}

async function json(response: Response): Promise<AnthropicBody> {
  return (await response.json()) as AnthropicBody;
}

function post(target: Simulator, body: unknown, key = "k1", signal?: AbortSignal): Promise<Response> {
  return fetch(`${target.origin}/v1/messages`, {
    method: "POST",
    headers: { "x-api-key": key, "anthropic-version": "2023-06-01", "content-type": "application/json" },
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

const names = (text: string): string[] =>
  [...text.matchAll(/^event: ([a-z_]+)$/gm)].map((match) => match[1]!);
const deltas = (text: string): number => names(text).filter((name) => name === "content_block_delta").length;
const base = { model: "claude-x", max_tokens: 100, messages: [{ role: "user", content: "Say hello" }] };
const stream = { ...base, stream: true };
/** 2025-10-25T12:00:00.000Z */

describe("anthropic faults", () => {
  it("answers status faults with Anthropic bodies fitting the status", async () => {
    const target = await start();
    const expected: [number, string, string][] = [
      [529, "overloaded_error", "Overloaded"],
      [500, "api_error", "Internal server error (simulated)."],
      [402, "billing_error", "Your credit balance is too low to access the Anthropic API (simulated)."],
      [429, "rate_limit_error", "Number of requests has exceeded your rate limit (simulated)."],
      [413, "request_too_large", "Request exceeds the maximum allowed number of bytes (simulated)."],
    ];
    for (const [status, type, message] of expected) {
      target.addFault({ kind: "status", status, times: 1, headers: { "x-should-retry": "true" } });
      const response = await post(target, base);
      expect(response.status).toBe(status);
      expect(response.headers.get("x-should-retry")).toBe("true");
      const id = response.headers.get("request-id");
      expect(await json(response)).toEqual({ type: "error", error: { type, message }, request_id: id });
    }
    target.addFault({ kind: "status", status: 418, model: "claude-x", body: { custom: true }, times: 1 });
    const custom = await post(target, base);
    expect([custom.status, await json(custom)]).toEqual([418, { custom: true }]);
    expect((await post(target, base)).status).toBe(200);
  });

  it("resets and hangs", async () => {
    const target = await start();
    target.addFault({ kind: "reset", times: 1 });
    await expect(post(target, base)).rejects.toThrow();
    target.addFault({ kind: "hang", key: "k2" });
    const error = await post(target, base, "k2", AbortSignal.timeout(150)).catch((caught: unknown) => caught);
    expect((error as Error).name).toBe("TimeoutError");
    await vi.waitFor(() => expect(target.requests[1]?.aborted).toBe(true), { timeout: 2000, interval: 10 });
    expect(target.requests.map((record) => record.status)).toEqual([0, 0]);
  });

  it("cuts a stream after afterChunks text deltas, without message_stop", async () => {
    const target = await start();
    target.addFault({ kind: "cut", afterChunks: 3, times: 1 });
    const { text, outcome } = await readBody(await post(target, stream));
    expect(outcome).toBe("error");
    expect(names(text)).toEqual([
      "message_start",
      "ping",
      "content_block_start",
      ...Array(3).fill("content_block_delta"),
    ]);
    target.addFault({ kind: "cut", times: 1 });
    const response = await post(target, base);
    const length = Number(response.headers.get("content-length"));
    const half = await readBody(response);
    expect([half.outcome, half.text.length]).toEqual(["error", Math.floor(length / 2)]);
  });

  it("stalls a stream with the socket open", async () => {
    const target = await start();
    target.addFault({ kind: "stall", afterChunks: 1 });
    const controller = new AbortController();
    const response = await post(target, stream, "k1", controller.signal);
    const { text, outcome } = await readBody(response, (sofar) => deltas(sofar) >= 1);
    expect(outcome).toBe("until");
    expect(await staysSilent(response, 150)).toBe(true);
    expect(deltas(text)).toBe(1);
    controller.abort();
    await vi.waitFor(() => expect(target.requests[0]?.aborted).toBe(true), { timeout: 2000, interval: 10 });
  });

  it("inserts one malformed event and continues", async () => {
    const target = await start();
    target.addFault({ kind: "malformed", times: 1 });
    const blocks = (await (await post(target, stream)).text()).split("\n\n");
    expect(blocks.indexOf("event: content_block_delta\ndata: {not json")).toBe(5);
    expect(blocks.filter((block) => block.includes("{not json"))).toHaveLength(1);
    expect(blocks.at(-2)).toBe('event: message_stop\ndata: {"type":"message_stop"}');
    target.addFault({ kind: "malformed", times: 1 });
    expect(await (await post(target, base)).text()).toBe("{not json");
  });

  it("sends an in-band overloaded error event, or a 529 without stream", async () => {
    const target = await start();
    target.addFault({ kind: "stream-error", times: 2 });
    const text = await (await post(target, stream)).text();
    expect(deltas(text)).toBe(2);
    expect(
      text.endsWith(
        'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":" via"}}\n\n' +
          'event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}\n\n',
      ),
    ).toBe(true);
    const response = await post(target, base);
    expect(response.status).toBe(529);
    expect((await json(response)).error).toEqual({ type: "overloaded_error", message: "Overloaded" });
  });

  it("omits message_stop, or keeps the stream open", async () => {
    const target = await start();
    target.addFault({ kind: "no-done", times: 1 });
    const text = await (await post(target, stream)).text();
    expect(names(text).slice(-2)).toEqual(["content_block_stop", "message_delta"]);
    target.addFault({ kind: "no-done", keepOpen: true, times: 1 });
    const controller = new AbortController();
    const response = await post(target, stream, "k1", controller.signal);
    const open = await readBody(response, (sofar) => sofar.includes("event: message_delta"));
    expect(open.outcome).toBe("until");
    expect(await staysSilent(response, 150)).toBe(true);
    controller.abort();
  });

  it("maps safety to a refusal with fewer pieces and ignores blocked", async () => {
    const target = await start();
    target.addFault({ kind: "blocked" });
    target.addFault({ kind: "safety", times: 2 });
    const message = await json(await post(target, base));
    expect(message.content).toEqual([{ type: "text", text: "Hello from claude-x via" }]);
    expect([message.stop_reason, message.usage.output_tokens]).toEqual(["refusal", 2]);
    const text = await (await post(target, stream)).text();
    expect(deltas(text)).toBe(2);
    expect(text).toContain('"delta":{"stop_reason":"refusal","stop_sequence":null}');
    expect((await json(await post(target, base))).stop_reason).toBe("end_turn");
  });

  it("honours chunkDelayMs between events", async () => {
    const target = await start({ chunkDelayMs: 30 });
    const started = Date.now();
    const text = await (await post(target, stream)).text();
    expect(names(text)).toHaveLength(11);
    expect(Date.now() - started).toBeGreaterThanOrEqual(270);
  });
});
