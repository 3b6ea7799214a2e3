import { describe, expect, it } from "vitest";
import { InvalidRequestError } from "../../../src/errors/index.js";
import {
  droppedOpenAIFields,
  geminiPath,
  imageUrlsToFetch,
  toGeminiRequest,
} from "../../../src/providers/gemini/index.js";
import type { ChatRequest } from "../../../src/types/index.js";
import { validateGeminiRequest } from "./gemini-spec.js";

const model = "gemini-2.5-flash";
const png =
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";
const jpeg =
  "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAgGBgcGBQgHBwcJCQgKDBQNDAsLDBkSEw8UHSEfHh0aHBwgJC4nICIsIxwcKDcpLDAxNDQ0Hyc5PTgyPC4zNDL/wAALCAABAAEBAREA/8QAFAABAAAAAAAAAAAAAAAAAAAACf/EABQQAQAAAAAAAAAAAAAAAAAAAAD/2gAIAQEAAD8AKp//2Q==";

function chat(messages: unknown[], extra: Record<string, unknown> = {}): ChatRequest {
  return { model, messages, ...extra };
}

/** Maps the request, checks it against both Gemini specs and returns the body. */
function mapped(request: ChatRequest, images?: ReadonlyMap<string, { mimeType: string; data: string }>) {
  const body = toGeminiRequest(request, images);
  validateGeminiRequest(body);
  return body;
}

function thrown(run: () => unknown): InvalidRequestError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidRequestError);
    return error as InvalidRequestError;
  }
  throw new Error("expected an InvalidRequestError");
}

const weatherTool = {
  type: "function",
  function: {
    name: "get_weather",
    description: "Current weather for a city.",
    parameters: {
      type: "object",
      properties: { city: { type: "string" }, unit: { type: "string", enum: ["celsius", "fahrenheit"] } },
      required: ["city"],
      additionalProperties: false,
    },
    strict: true,
  },
};
const timeTool = { type: "function", function: { name: "get_time" } };

describe("geminiPath", () => {
  it("builds the generateContent and SSE streaming paths", () => {
    expect(geminiPath("gemini-2.5-flash", false)).toBe("/v1beta/models/gemini-2.5-flash:generateContent");
    expect(geminiPath("gemini-2.5-flash", true)).toBe(
      "/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse",
    );
  });

  it("accepts a models/ prefix, encodes the name and routes tuned models", () => {
    expect(geminiPath("models/gemini-2.0-flash-001", false)).toBe(
      "/v1beta/models/gemini-2.0-flash-001:generateContent",
    );
    expect(geminiPath("my model/x", false)).toBe("/v1beta/models/my%20model%2Fx:generateContent");
    expect(geminiPath("tunedModels/sentiment-7", true)).toBe(
      "/v1beta/tunedModels/sentiment-7:streamGenerateContent?alt=sse",
    );
    expect(() => geminiPath("models/", false)).toThrow(InvalidRequestError);
  });
});

describe("toGeminiRequest: messages", () => {
  it("puts system and developer messages into systemInstruction", () => {
    const body = mapped(
      chat([
        { role: "system", content: "You are terse." },
        { role: "developer", content: [{ type: "text", text: "Answer in French." }] },
        { role: "user", content: "What is the capital of Italy?" },
      ]),
    );
    expect(body).toEqual({
      systemInstruction: { parts: [{ text: "You are terse." }, { text: "Answer in French." }] },
      contents: [{ role: "user", parts: [{ text: "What is the capital of Italy?" }] }],
    });
  });

  it("maps a multi-turn chat to user/model turns and merges consecutive same-role turns", () => {
    const body = mapped(
      chat([
        { role: "user", content: "Hi, I'm Ada." },
        { role: "assistant", content: "Hello Ada! How can I help?" },
        { role: "user", content: "What's my name?" },
        { role: "user", content: [{ type: "text", text: "Answer in one word." }] },
        { role: "assistant", content: [{ type: "text", text: "Ada." }] },
        { role: "assistant", content: null },
        { role: "user", content: "Thanks." },
      ]),
    );
    expect(body).toEqual({
      contents: [
        { role: "user", parts: [{ text: "Hi, I'm Ada." }] },
        { role: "model", parts: [{ text: "Hello Ada! How can I help?" }] },
        { role: "user", parts: [{ text: "What's my name?" }, { text: "Answer in one word." }] },
        { role: "model", parts: [{ text: "Ada." }] },
        { role: "user", parts: [{ text: "Thanks." }] },
      ],
    });
  });

  it("refuses unknown roles, a chat with no user or assistant turn, and non-text system parts", () => {
    expect(thrown(() => toGeminiRequest(chat([{ role: "critic", content: "x" }]))).param).toBe(
      "messages[0].role",
    );
    expect(thrown(() => toGeminiRequest(chat([{ role: "system", content: "Be nice." }]))).param).toBe(
      "messages",
    );
    const error = thrown(() =>
      toGeminiRequest(
        chat([
          { role: "system", content: [{ type: "image_url", image_url: { url: "https://x.test/a.png" } }] },
          { role: "user", content: "hi" },
        ]),
      ),
    );
    expect(error.param).toBe("messages[0].content[0]");
  });
});

describe("toGeminiRequest: images", () => {
  const httpsUrl = "https://upload.wikimedia.org/wikipedia/commons/a/a7/Camponotus_flavomarginatus_ant.jpg";
  const request = chat([
    {
      role: "user",
      content: [
        { type: "text", text: "Compare these two images." },
        { type: "image_url", image_url: { url: `data:image/png;base64,${png}`, detail: "low" } },
        { type: "image_url", image_url: { url: httpsUrl } },
      ],
    },
  ]);

  it("lists the https images to download, once each, in order", () => {
    const withRepeats = chat([
      ...request.messages,
      { role: "assistant", content: "They differ." },
      {
        role: "user",
        content: [
          { type: "image_url", image_url: { url: httpsUrl } },
          { type: "image_url", image_url: "https://example.com/b.webp" },
        ],
      },
    ]);
    expect(imageUrlsToFetch(withRepeats)).toEqual([httpsUrl, "https://example.com/b.webp"]);
    expect(imageUrlsToFetch(chat([{ role: "user", content: "no images" }]))).toEqual([]);
  });

  it("inlines data URLs and downloaded https images", () => {
    const images = new Map([[httpsUrl, { mimeType: "image/jpeg", data: jpeg }]]);
    expect(mapped(request, images)).toEqual({
      contents: [
        {
          role: "user",
          parts: [
            { text: "Compare these two images." },
            { inlineData: { mimeType: "image/png", data: png } },
            { inlineData: { mimeType: "image/jpeg", data: jpeg } },
          ],
        },
      ],
    });
  });

  it("refuses an https image that was not downloaded, and other URL schemes", () => {
    const missing = thrown(() => toGeminiRequest(request));
    expect(missing.message).toContain(httpsUrl);
    expect(missing.param).toBe("messages[0].content[2]");
    const http = chat([
      { role: "user", content: [{ type: "image_url", image_url: { url: "http://x.test/a.png" } }] },
    ]);
    expect(thrown(() => toGeminiRequest(http)).message).toMatch(/https or data: URLs/);
    const notBase64 = chat([
      { role: "user", content: [{ type: "image_url", image_url: { url: "data:image/svg+xml,<svg/>" } }] },
    ]);
    expect(thrown(() => toGeminiRequest(notBase64)).message).toMatch(/base64/);
  });

  it("inlines audio and base64 file parts, and refuses file ids", () => {
    const body = mapped(
      chat([
        {
          role: "user",
          content: [
            { type: "input_audio", input_audio: { data: "UklGRiQAAABXQVZFZm10IBAAAAABAAEA", format: "wav" } },
            {
              type: "file",
              file: { filename: "a.pdf", file_data: "data:application/pdf;base64,JVBERi0xLjQK" },
            },
          ],
        },
      ]),
    );
    expect(body).toEqual({
      contents: [
        {
          role: "user",
          parts: [
            { inlineData: { mimeType: "audio/wav", data: "UklGRiQAAABXQVZFZm10IBAAAAABAAEA" } },
            { inlineData: { mimeType: "application/pdf", data: "JVBERi0xLjQK" } },
          ],
        },
      ],
    });
    const fileId = chat([{ role: "user", content: [{ type: "file", file: { file_id: "file-abc" } }] }]);
    expect(thrown(() => toGeminiRequest(fileId)).param).toBe("messages[0].content[0]");
  });
});

describe("toGeminiRequest: tools", () => {
  const question = [{ role: "user", content: "Weather in Paris?" }];
  const declarations = [
    {
      name: "get_weather",
      description: "Current weather for a city.",
      parametersJsonSchema: weatherTool.function.parameters,
    },
    { name: "get_time" },
  ];

  it("declares function tools with parametersJsonSchema and no toolConfig without tool_choice", () => {
    expect(mapped(chat(question, { tools: [weatherTool, timeTool], parallel_tool_calls: false }))).toEqual({
      contents: [{ role: "user", parts: [{ text: "Weather in Paris?" }] }],
      tools: [{ functionDeclarations: declarations }],
    });
  });

  it.each([
    ["auto", { mode: "AUTO" }],
    ["required", { mode: "ANY" }],
    ["none", { mode: "NONE" }],
    [
      { type: "function", function: { name: "get_weather" } },
      { mode: "ANY", allowedFunctionNames: ["get_weather"] },
    ],
    [
      {
        type: "allowed_tools",
        allowed_tools: { mode: "required", tools: [{ type: "function", function: { name: "get_time" } }] },
      },
      { mode: "ANY", allowedFunctionNames: ["get_time"] },
    ],
  ])("maps tool_choice %j to functionCallingConfig %j", (toolChoice, functionCallingConfig) => {
    expect(mapped(chat(question, { tools: [weatherTool, timeTool], tool_choice: toolChoice }))).toEqual({
      contents: [{ role: "user", parts: [{ text: "Weather in Paris?" }] }],
      tools: [{ functionDeclarations: declarations }],
      toolConfig: { functionCallingConfig },
    });
  });

  it("narrows the declarations for allowed_tools in auto mode", () => {
    const toolChoice = {
      type: "allowed_tools",
      allowed_tools: { mode: "auto", tools: [{ type: "function", function: { name: "get_weather" } }] },
    };
    expect(mapped(chat(question, { tools: [weatherTool, timeTool], tool_choice: toolChoice }))).toEqual({
      contents: [{ role: "user", parts: [{ text: "Weather in Paris?" }] }],
      tools: [{ functionDeclarations: [declarations[0]] }],
      toolConfig: { functionCallingConfig: { mode: "AUTO" } },
    });
  });

  it("drops tool_choice without tools and refuses non-function tools", () => {
    expect(mapped(chat(question, { tools: [], tool_choice: "none" }))).toEqual({
      contents: [{ role: "user", parts: [{ text: "Weather in Paris?" }] }],
    });
    const custom = chat(question, { tools: [{ type: "custom", custom: { name: "grammar" } }] });
    expect(thrown(() => toGeminiRequest(custom)).param).toBe("tools[0]");
  });
});

describe("toGeminiRequest: tool calls and results", () => {
  it("maps assistant tool calls and groups tool results, finding each name by tool_call_id", () => {
    const body = mapped(
      chat([
        { role: "user", content: "Weather in Paris and London, and the time?" },
        {
          role: "assistant",
          content: "Checking.",
          tool_calls: [
            {
              id: "call_Xa1",
              type: "function",
              function: { name: "get_weather", arguments: '{"city":"Paris"}' },
            },
            {
              id: "toolu_01B",
              type: "function",
              function: { name: "get_weather", arguments: '{"city":"London"}' },
            },
            { id: "call_Xa3", type: "function", function: { name: "get_time", arguments: "not json" } },
          ],
        },
        { role: "tool", tool_call_id: "call_Xa1", content: '{"temperature":21,"sky":"clear"}' },
        { role: "tool", tool_call_id: "toolu_01B", content: [{ type: "text", text: "Rain, 14°C" }] },
        { role: "tool", tool_call_id: "call_Xa3", content: "[1,2]" },
        { role: "user", content: "Summarise." },
      ]),
    );
    expect(body).toEqual({
      contents: [
        { role: "user", parts: [{ text: "Weather in Paris and London, and the time?" }] },
        {
          role: "model",
          parts: [
            { text: "Checking." },
            { functionCall: { name: "get_weather", args: { city: "Paris" } } },
            { functionCall: { name: "get_weather", args: { city: "London" } } },
            { functionCall: { name: "get_time", args: {} } },
          ],
        },
        {
          role: "user",
          parts: [
            { functionResponse: { name: "get_weather", response: { temperature: 21, sky: "clear" } } },
            { functionResponse: { name: "get_weather", response: { result: "Rain, 14°C" } } },
            { functionResponse: { name: "get_time", response: { result: "[1,2]" } } },
            { text: "Summarise." },
          ],
        },
      ],
    });
  });

  it("refuses a tool result whose tool_call_id matches no earlier call, naming the id", () => {
    const error = thrown(() =>
      toGeminiRequest(
        chat([
          { role: "user", content: "hi" },
          { role: "tool", tool_call_id: "call_missing42", content: "42" },
        ]),
      ),
    );
    expect(error.message).toContain("'call_missing42'");
    expect(error.param).toBe("messages[1].tool_call_id");
    expect(error.code).toBe("invalid_request");
    expect(error.status).toBe(400);
  });
});

describe("toGeminiRequest: generationConfig", () => {
  const hello = [{ role: "user", content: "Hello" }];
  const contents = [{ role: "user", parts: [{ text: "Hello" }] }];

  it("maps json_object and json_schema response formats", () => {
    expect(mapped(chat(hello, { response_format: { type: "json_object" } }))).toEqual({
      contents,
      generationConfig: { responseMimeType: "application/json" },
    });
    const schema = {
      type: "object",
      properties: { greeting: { type: "string" }, formal: { type: "boolean" } },
      required: ["greeting", "formal"],
      additionalProperties: false,
    };
    const format = { type: "json_schema", json_schema: { name: "greeting", strict: true, schema } };
    expect(mapped(chat(hello, { response_format: format }))).toEqual({
      contents,
      generationConfig: { responseMimeType: "application/json", responseJsonSchema: schema },
    });
    expect(mapped(chat(hello, { response_format: { type: "text" } }))).toEqual({ contents });
  });

  it("maps stop to stopSequences and refuses more than 5", () => {
    expect(mapped(chat(hello, { stop: "\n\n" }))).toEqual({
      contents,
      generationConfig: { stopSequences: ["\n\n"] },
    });
    expect(mapped(chat(hello, { stop: ["END", "STOP"] }))).toEqual({
      contents,
      generationConfig: { stopSequences: ["END", "STOP"] },
    });
    expect(mapped(chat(hello, { stop: null }))).toEqual({ contents });
    const error = thrown(() => toGeminiRequest(chat(hello, { stop: ["a", "b", "c", "d", "e", "f"] })));
    expect(error.param).toBe("stop");
    expect(error.message).toMatch(/at most 5/);
  });

  it("maps max_completion_tokens, falling back to max_tokens", () => {
    expect(mapped(chat(hello, { max_tokens: 256 }))).toEqual({
      contents,
      generationConfig: { maxOutputTokens: 256 },
    });
    expect(mapped(chat(hello, { max_tokens: 256, max_completion_tokens: 1024 }))).toEqual({
      contents,
      generationConfig: { maxOutputTokens: 1024 },
    });
    expect(mapped(chat(hello, { max_tokens: 256, max_completion_tokens: null }))).toEqual({
      contents,
      generationConfig: { maxOutputTokens: 256 },
    });
  });

  it("maps n and the sampling and logprobs fields", () => {
    const body = mapped(
      chat(hello, {
        n: 2,
        temperature: 0.7,
        top_p: 0.95,
        seed: 42,
        presence_penalty: 0.5,
        frequency_penalty: -0.25,
        logprobs: true,
        top_logprobs: 3,
      }),
    );
    expect(body).toEqual({
      contents,
      generationConfig: {
        candidateCount: 2,
        temperature: 0.7,
        topP: 0.95,
        seed: 42,
        presencePenalty: 0.5,
        frequencyPenalty: -0.25,
        responseLogprobs: true,
        logprobs: 3,
      },
    });
  });

  it("drops the OpenAI fields Gemini has no equivalent for", () => {
    const extras = Object.fromEntries(
      droppedOpenAIFields.map((field) => [field, field === "store" ? true : "x"]),
    );
    const body = mapped(
      chat(hello, {
        ...extras,
        stream: true,
        stream_options: { include_usage: true },
        logprobs: false,
        top_logprobs: 2,
      }),
    );
    expect(body).toEqual({ contents });
  });
});
