import { afterEach, describe, expect, it } from "vitest";
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

function call(target: Simulator, path: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${target.origin}/v1beta/models/${path}`, {
    method: "POST",
    headers: { "x-goog-api-key": "k1", "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

const generate = (target: Simulator, body: unknown, headers?: Record<string, string>) =>
  call(target, "gemini-x:generateContent", body, headers);
const streamGenerate = (target: Simulator, body: unknown) =>
  call(target, "gemini-x:streamGenerateContent?alt=sse", body);

/** The JSON payloads of a Gemini SSE body, checking the CRLF framing. */
function dataEvents(text: string): Record<string, unknown>[] {
  expect(text.endsWith("\r\n\r\n")).toBe(true);
  return text
    .slice(0, -4)
    .split("\r\n\r\n")
    .map((event) => {
      expect(event.startsWith("data: ")).toBe(true);
      return JSON.parse(event.slice(6)) as Record<string, unknown>;
    });
}

const contents = [{ role: "user", parts: [{ text: "Say hello" }] }];
/** ceil(9 / 4) + 4 */
const PROMPT_TOKENS = 7;
const PIECES = ["Hello from gemini-x", " via", " key", " k1", "."];
const weather = {
  name: "get_weather",
  description: "Weather of a city",
  parametersJsonSchema: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
};

describe("gemini generateContent", () => {
  it("answers text pieces as parts, with usage, and records the request", async () => {
    const target = await start();
    const body = { contents, systemInstruction: { role: "user", parts: [{ text: "You are terse." }] } };
    const response = await generate(target, body);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/json; charset=UTF-8");
    expect(await json(response)).toEqual({
      candidates: [
        {
          content: { parts: PIECES.map((text) => ({ text })), role: "model" },
          finishReason: "STOP",
          index: 0,
        },
      ],
      // ceil((14 + 9) / 4) + 2 * 4
      usageMetadata: { promptTokenCount: 14, candidatesTokenCount: 5, totalTokenCount: 19 },
      modelVersion: "gemini-x",
      responseId: "resp_sim_1",
    });
    expect(target.requests[0]).toMatchObject({
      wire: "gemini",
      method: "POST",
      path: "/v1beta/models/gemini-x:generateContent",
      key: "k1",
      model: "gemini-x",
      status: 200,
      body,
    });
  });

  it("reads the key from ?key= and caps the answer at maxOutputTokens", async () => {
    const target = await start({ keys: { qk42: {} }, requireKnownKeys: true });
    const response = await fetch(`${target.origin}/v1beta/models/gemini-x:generateContent?key=qk42`, {
      method: "POST",
      body: JSON.stringify({ contents, generationConfig: { maxOutputTokens: 2, temperature: 0.2 } }),
    });
    const answer = await json(response);
    expect(answer.candidates[0]!.content.parts).toEqual([{ text: "Hello from gemini-x" }, { text: " via" }]);
    expect(answer.candidates[0]!.finishReason).toBe("MAX_TOKENS");
    expect(answer.usageMetadata).toEqual({
      promptTokenCount: 7,
      candidatesTokenCount: 2,
      totalTokenCount: 9,
    });
    expect(target.requests[0]?.key).toBe("qk42");
  });

  it("streams one data event per piece with CRLF framing, finishReason on the last, no [DONE]", async () => {
    const target = await start();
    const response = await streamGenerate(target, { contents });
    expect(response.headers.get("content-type")).toBe("text/event-stream");
    const text = await response.text();
    expect(text).not.toContain("[DONE]");
    const events = dataEvents(text);
    expect(events).toHaveLength(5);
    events.forEach((event, index) => {
      const last = index === 4;
      expect(event).toEqual({
        candidates: [
          {
            content: { parts: [{ text: PIECES[index] }], role: "model" },
            ...(last ? { finishReason: "STOP" } : {}),
            index: 0,
          },
        ],
        usageMetadata: {
          promptTokenCount: PROMPT_TOKENS,
          candidatesTokenCount: index + 1,
          totalTokenCount: PROMPT_TOKENS + index + 1,
        },
        modelVersion: "gemini-x",
        responseId: "resp_sim_1",
      });
    });
  });

  it("honours chunkDelayMs between data events", async () => {
    const target = await start({ chunkDelayMs: 30 });
    const started = Date.now();
    expect(dataEvents(await (await streamGenerate(target, { contents })).text())).toHaveLength(5);
    expect(Date.now() - started).toBeGreaterThanOrEqual(110);
  });

  it("calls a function for mode ANY, with a thought signature and finishReason STOP", async () => {
    const target = await start();
    const body = {
      contents,
      tools: [{ functionDeclarations: [weather] }],
      toolConfig: { functionCallingConfig: { mode: "ANY" } },
    };
    const answer = await json(await generate(target, body));
    expect(answer.candidates).toEqual([
      {
        content: {
          parts: [
            {
              functionCall: { name: "get_weather", args: { city: "Paris" } },
              thoughtSignature: "c2lnLXNpbS0x",
            },
          ],
          role: "model",
        },
        finishReason: "STOP",
        index: 0,
      },
    ]);
    expect(answer.usageMetadata.candidatesTokenCount).toBe(5);
    const events = dataEvents(await (await streamGenerate(target, body)).text());
    expect(events).toHaveLength(1);
    expect(events[0]?.["candidates"]).toEqual([
      {
        content: {
          parts: [
            {
              functionCall: { name: "get_weather", args: { city: "Paris" } },
              thoughtSignature: "c2lnLXNpbS0y",
            },
          ],
          role: "model",
        },
        finishReason: "STOP",
        index: 0,
      },
    ]);
  });

  it("calls a function for 'call a tool', from OpenAPI parameters, honouring allowed names and NONE", async () => {
    const target = await start();
    const legacy = {
      name: "plan",
      parameters: { type: "OBJECT", properties: { city: { type: "STRING" }, days: { type: "INTEGER" } } },
    };
    const asked = [{ parts: [{ text: "Please call a tool" }] }];
    const tools = [{ functionDeclarations: [weather] }, { functionDeclarations: [legacy] }];
    const allowed = { functionCallingConfig: { mode: "ANY", allowedFunctionNames: ["plan"] } };
    const planned = await json(await generate(target, { contents: asked, tools, toolConfig: allowed }));
    expect(planned.candidates[0]!.content.parts[0]!.functionCall).toEqual({
      name: "plan",
      args: { city: "Paris", days: 1 },
    });
    const first = await json(await generate(target, { contents: asked, tools }));
    expect(first.candidates[0]!.content.parts[0]!.functionCall!.name).toBe("get_weather");
    const none = { functionCallingConfig: { mode: "NONE" } };
    const text = await json(await generate(target, { contents: asked, tools, toolConfig: none }));
    expect(text.candidates[0]!.content.parts[0]).toEqual({ text: "Hello from gemini-x" });
    const auto = await json(await generate(target, { contents, tools }));
    expect(auto.candidates[0]!.content.parts).toHaveLength(5);
  });

  it("answers JSON for responseMimeType application/json", async () => {
    const target = await start();
    const generationConfig = {
      responseMimeType: "application/json",
      responseSchema: { type: "OBJECT", properties: { greeting: { type: "STRING" } } },
    };
    const answer = await json(await generate(target, { contents, generationConfig }));
    const parts = answer.candidates[0]!.content.parts;
    expect(JSON.parse(parts.map((part) => part.text).join(""))).toEqual({ greeting: PIECES.join("") });
  });

  it("refuses unknown keys with API_KEY_INVALID and missing keys with PERMISSION_DENIED", async () => {
    const target = await start({ keys: { k1: {} }, requireKnownKeys: true });
    const unknown = await generate(target, { contents }, { "x-goog-api-key": "nope" });
    expect(unknown.status).toBe(400);
    expect(unknown.headers.get("content-type")).toBe("application/json; charset=UTF-8");
    expect(await json(unknown)).toEqual({
      error: {
        code: 400,
        message: "API key not valid. Please pass a valid API key.",
        status: "INVALID_ARGUMENT",
        details: [
          {
            "@type": "type.googleapis.com/google.rpc.ErrorInfo",
            reason: "API_KEY_INVALID",
            domain: "googleapis.com",
          },
        ],
      },
    });
    const missing = await fetch(`${target.origin}/v1beta/models`);
    expect(missing.status).toBe(403);
    expect((await json(missing)).error.status).toBe("PERMISSION_DENIED");
    expect((await generate(target, { contents })).status).toBe(200);
  });

  it("validates contents, alt=sse, JSON and routes with INVALID_ARGUMENT / NOT_FOUND", async () => {
    const target = await start();
    const missing = await generate(target, { generationConfig: {} });
    expect(missing.status).toBe(400);
    expect(await json(missing)).toEqual({
      error: {
        code: 400,
        message: "* GenerateContentRequest.contents: contents is not specified\n",
        status: "INVALID_ARGUMENT",
      },
    });
    const noSse = await call(target, "gemini-x:streamGenerateContent", { contents });
    expect([noSse.status, (await json(noSse)).error.status]).toEqual([400, "INVALID_ARGUMENT"]);
    const malformed = await generate(target, "{not json");
    expect([malformed.status, (await json(malformed)).error.status]).toEqual([400, "INVALID_ARGUMENT"]);
    const unknown = await call(target, "gemini-x:countTokens", { contents });
    expect([unknown.status, (await json(unknown)).error.status]).toEqual([404, "NOT_FOUND"]);
    expect(target.requests.every((record) => record.wire === "gemini")).toBe(true);
  });

  it("refuses a prompt above the model's context window", async () => {
    const target = await start({ models: { "gemini-x": { contextWindow: 6 } } });
    const response = await generate(target, { contents });
    expect(response.status).toBe(400);
    expect((await json(response)).error).toEqual({
      code: 400,
      message: `The input token count (${PROMPT_TOKENS}) exceeds the maximum number of tokens allowed (6).`,
      status: "INVALID_ARGUMENT",
    });
  });

  it("lists models in Gemini's shape", async () => {
    const target = await start({ models: { "gemini-x": { contextWindow: 32_000 }, "gemini-y": {} } });
    const response = await fetch(`${target.origin}/v1beta/models?key=k1`);
    const gemini = (id: string, inputTokenLimit: number) => ({
      name: `models/${id}`,
      baseModelId: id,
      version: "001",
      displayName: id,
      inputTokenLimit,
      outputTokenLimit: 65_536,
      supportedGenerationMethods: ["generateContent", "streamGenerateContent"],
    });
    expect(await json(response)).toEqual({
      models: [gemini("gemini-x", 32_000), gemini("gemini-y", 1_048_576)],
    });
    expect(await json(await fetch(`${target.origin}/v1beta/models/gemini-y`))).toEqual(
      gemini("gemini-y", 1_048_576),
    );
    const absent = await fetch(`${target.origin}/v1beta/models/nope`);
    expect([absent.status, (await json(absent)).error.status]).toEqual([404, "NOT_FOUND"]);
  });
});
