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

/** The fields the tests read from Gemini JSON bodies (responses and errors). */
interface GeminiBody {
  candidates: {
    content: { parts: { text?: string; functionCall?: { name: string; args: unknown } }[] };
    finishReason: string;
  }[];
  usageMetadata: { candidatesTokenCount: number };
  error: { status: string; details: { reason: string }[] };
}

async function json(response: Response): Promise<GeminiBody> {
  return (await response.json()) as GeminiBody;
}

const contents = [{ role: "user", parts: [{ text: "Say hello" }] }];

function generate(target: Simulator, options: { stream?: boolean; key?: string; signal?: AbortSignal } = {}) {
  const method = options.stream === true ? "streamGenerateContent?alt=sse" : "generateContent";
  return fetch(`${target.origin}/v1beta/models/gemini-x:${method}`, {
    method: "POST",
    headers: { "x-goog-api-key": options.key ?? "k1", "content-type": "application/json" },
    body: JSON.stringify({ contents }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
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

/** The raw `data:` events of a Gemini stream (CRLF framed). */
const rawEvents = (text: string): string[] => text.split("\r\n\r\n").filter((event) => event !== "");
const finishes = (text: string): string[] =>
  [...text.matchAll(/"finishReason":"([A-Z_]+)"/g)].map((m) => m[1]!);

describe("gemini faults", () => {
  it("answers status faults with google.rpc.Status bodies, matching the model of the path", async () => {
    const target = await start();
    target.addFault({ kind: "status", status: 500, model: "other" });
    target.addFault({ kind: "status", status: 503, model: "gemini-x", times: 1 });
    target.addFault({ kind: "status", status: 500, times: 1 });
    target.addFault({ kind: "status", status: 429, times: 1, headers: { "x-extra": "1" } });
    const overloaded = await generate(target);
    expect(overloaded.status).toBe(503);
    expect(await json(overloaded)).toEqual({
      error: {
        code: 503,
        message: "The model is overloaded. Please try again later.",
        status: "UNAVAILABLE",
      },
    });
    const internal = await generate(target, { stream: true });
    expect([internal.status, (await json(internal)).error.status]).toEqual([500, "INTERNAL"]);
    const exhausted = await generate(target);
    expect(exhausted.headers.get("x-extra")).toBe("1");
    expect(await exhausted.json()).toEqual({
      error: {
        code: 429,
        message: "Resource has been exhausted (e.g. check quota).",
        status: "RESOURCE_EXHAUSTED",
        details: [
          expect.objectContaining({ "@type": "type.googleapis.com/google.rpc.QuotaFailure" }),
          expect.objectContaining({ "@type": "type.googleapis.com/google.rpc.Help" }),
          { "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay: "1s" },
        ],
      },
    });
    expect((await generate(target)).status).toBe(200);
  });

  it("resets and hangs", async () => {
    const target = await start();
    target.addFault({ kind: "reset", times: 1 });
    await expect(generate(target)).rejects.toThrow();
    target.addFault({ kind: "hang", times: 1 });
    const error = await generate(target, { signal: AbortSignal.timeout(150) }).catch(
      (caught: unknown) => caught,
    );
    expect((error as Error).name).toBe("TimeoutError");
    await vi.waitFor(() => expect(target.requests[1]?.aborted).toBe(true), { timeout: 2000, interval: 10 });
  });

  it("cuts a stream after N data events without any finishReason, and a body halfway", async () => {
    const target = await start();
    target.addFault({ kind: "cut", afterChunks: 3, times: 1 });
    const cut = await readBody(await generate(target, { stream: true }));
    expect(cut.outcome).toBe("error");
    expect(rawEvents(cut.text)).toHaveLength(3);
    expect(finishes(cut.text)).toEqual([]);
    target.addFault({ kind: "cut", afterChunks: 9, times: 1 });
    const all = await readBody(await generate(target, { stream: true }));
    expect([all.outcome, rawEvents(all.text).length, finishes(all.text)]).toEqual(["error", 5, []]);
    target.addFault({ kind: "cut", times: 1 });
    const response = await generate(target);
    const half = await readBody(response);
    expect([half.outcome, half.text.length]).toEqual([
      "error",
      Math.floor(Number(response.headers.get("content-length")) / 2),
    ]);
  });

  it("stalls a stream with the socket open", async () => {
    const target = await start();
    target.addFault({ kind: "stall", afterChunks: 1 });
    const controller = new AbortController();
    const response = await generate(target, { stream: true, signal: controller.signal });
    const { text, outcome } = await readBody(response, (sofar) => sofar.endsWith("\r\n\r\n"));
    expect(outcome).toBe("until");
    expect(await staysSilent(response, 150)).toBe(true);
    expect(rawEvents(text)).toHaveLength(1);
    controller.abort();
    await vi.waitFor(() => expect(target.requests[0]?.aborted).toBe(true), { timeout: 2000, interval: 10 });
  });

  it("inserts one malformed event and continues, or answers {not json", async () => {
    const target = await start();
    target.addFault({ kind: "malformed", times: 2 });
    const events = rawEvents(await (await generate(target, { stream: true })).text());
    expect(events).toHaveLength(6);
    expect(events.indexOf("data: {not json")).toBe(2);
    expect(finishes(events.at(-1)!)).toEqual(["STOP"]);
    expect(await (await generate(target)).text()).toBe("{not json");
  });

  it("ends a stream with an in-band UNAVAILABLE error, or answers 503", async () => {
    const target = await start();
    target.addFault({ kind: "stream-error", times: 2 });
    const events = rawEvents(await (await generate(target, { stream: true })).text());
    expect(events).toHaveLength(3);
    expect(events[2]).toBe(
      'data: {"error":{"code":503,"message":"The model is overloaded. Please try again later.","status":"UNAVAILABLE"}}',
    );
    const response = await generate(target);
    expect([response.status, (await json(response)).error.status]).toEqual([503, "UNAVAILABLE"]);
    target.addFault({ kind: "stream-error", afterChunks: 9, times: 1 });
    const late = await (await generate(target, { stream: true })).text();
    expect([rawEvents(late).length, finishes(late)]).toEqual([6, []]);
  });

  it("leaves a stream unchanged for no-done, or keeps it open", async () => {
    const target = await start();
    target.addFault({ kind: "no-done", times: 1 });
    const text = await (await generate(target, { stream: true })).text();
    expect([rawEvents(text).length, finishes(text)]).toEqual([5, ["STOP"]]);
    target.addFault({ kind: "no-done", keepOpen: true, times: 1 });
    const controller = new AbortController();
    const response = await generate(target, { stream: true, signal: controller.signal });
    const open = await readBody(response, (sofar) => sofar.includes('"finishReason":"STOP"'));
    expect(open.outcome).toBe("until");
    expect(await staysSilent(response, 150)).toBe(true);
    controller.abort();
  });

  it("blocks the prompt with promptFeedback and no candidates", async () => {
    const target = await start();
    target.addFault({ kind: "blocked", times: 2 });
    const blocked = {
      promptFeedback: {
        blockReason: "SAFETY",
        safetyRatings: [
          { category: "HARM_CATEGORY_SEXUALLY_EXPLICIT", probability: "NEGLIGIBLE" },
          { category: "HARM_CATEGORY_HATE_SPEECH", probability: "NEGLIGIBLE" },
          { category: "HARM_CATEGORY_HARASSMENT", probability: "NEGLIGIBLE" },
          { category: "HARM_CATEGORY_DANGEROUS_CONTENT", probability: "HIGH", blocked: true },
        ],
      },
      usageMetadata: { promptTokenCount: 7, totalTokenCount: 7 },
      modelVersion: "gemini-x",
      responseId: "resp_sim_1",
    };
    const response = await generate(target);
    expect([response.status, await json(response)]).toEqual([200, blocked]);
    const text = await (await generate(target, { stream: true })).text();
    expect(text).toBe(`data: ${JSON.stringify({ ...blocked, responseId: "resp_sim_2" })}\r\n\r\n`);
    expect((await json(await generate(target))).candidates).toHaveLength(1);
  });

  it("cuts an answer short with finishReason SAFETY", async () => {
    const target = await start();
    target.addFault({ kind: "safety", times: 3 });
    const answer = await json(await generate(target));
    expect(answer.candidates).toEqual([
      {
        content: { parts: [{ text: "Hello from gemini-x" }, { text: " via" }], role: "model" },
        finishReason: "SAFETY",
        index: 0,
        safetyRatings: expect.arrayContaining([
          { category: "HARM_CATEGORY_DANGEROUS_CONTENT", probability: "HIGH", blocked: true },
        ]),
      },
    ]);
    expect(answer.usageMetadata.candidatesTokenCount).toBe(2);
    const text = await (await generate(target, { stream: true })).text();
    expect([rawEvents(text).length, finishes(text)]).toEqual([2, ["SAFETY"]]);
    target.clearFaults();
    target.addFault({ kind: "safety", afterChunks: 0, times: 1 });
    const empty = rawEvents(await (await generate(target, { stream: true })).text());
    expect(empty).toHaveLength(1);
    expect(JSON.parse(empty[0]!.slice(6)).candidates[0]).toEqual({
      finishReason: "SAFETY",
      index: 0,
      safetyRatings: expect.any(Array),
    });
  });
});
