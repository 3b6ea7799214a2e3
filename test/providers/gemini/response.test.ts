import { describe, expect, it } from "vitest";
import { InvalidRequestError, LlmuxError } from "../../../src/errors/index.js";
import { fromGeminiResponse, toGeminiRequest } from "../../../src/providers/gemini/index.js";
import type { ChatCompletionBody } from "../../../src/types/index.js";
import { validateOpenAI } from "../../helpers/openai-spec.js";
import { counterIds, loadJson } from "./fixtures.js";
import { validateGeminiRequest, validateGeminiResponse } from "./gemini-spec.js";

const now = 1_750_000_000_987;
const created = 1_750_000_000;
const signature =
  "MbygIJTreBJqUXsgaojHPPqexvcExwMNGCEsrOgg8CXwC/DqaNvz86VDbKY7U797+ArY1d59g1nQt/7Z28OrmV/s62Y=";
const signatureInId =
  "MbygIJTreBJqUXsgaojHPPqexvcExwMNGCEsrOgg8CXwC_DqaNvz86VDbKY7U797-ArY1d59g1nQt_7Z28OrmV_s62Y";

/** Maps a fixture (checked against both Gemini specs first) and checks the result against the OpenAI spec. */
function mapFixture(name: string, model = "gemini-2.5-flash"): ChatCompletionBody {
  const body = loadJson(name);
  validateGeminiResponse(body);
  const completion = fromGeminiResponse(body, { model, now, newId: counterIds() });
  validateOpenAI("CreateChatCompletionResponse", completion);
  return completion;
}

function usage(prompt: number, completion: number, total: number, cached = 0, reasoning = 0) {
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: total,
    prompt_tokens_details: { cached_tokens: cached },
    completion_tokens_details: { reasoning_tokens: reasoning },
  };
}

describe("fromGeminiResponse", () => {
  it("maps a text answer", () => {
    expect(mapFixture("text-answer.json")).toEqual({
      id: "chatcmpl-mD5BaPzLJqWv1MkPh4iq6AU",
      object: "chat.completion",
      created,
      model: "gemini-2.0-flash",
      choices: [
        {
          index: 0,
          message: { role: "assistant", content: "The capital of France is Paris.", refusal: null },
          finish_reason: "stop",
          logprobs: null,
        },
      ],
      usage: usage(12, 8, 20),
    });
  });

  it("maps parallel function calls (no Gemini ids) to tool_calls with minted ids carrying the signature", () => {
    expect(mapFixture("parallel-function-calls.json")).toEqual({
      id: "chatcmpl-3kFBaL2aEuKo1MkP0dGQmQ8",
      object: "chat.completion",
      created,
      model: "gemini-2.5-flash",
      choices: [
        {
          index: 0,
          message: {
            role: "assistant",
            content: null,
            refusal: null,
            tool_calls: [
              {
                id: `call_id1__ts_${signatureInId}`,
                type: "function",
                function: { name: "get_weather", arguments: '{"city":"Paris","unit":"celsius"}' },
              },
              {
                id: "call_id2",
                type: "function",
                function: { name: "get_weather", arguments: '{"city":"London","unit":"celsius"}' },
              },
            ],
          },
          finish_reason: "tool_calls",
          logprobs: null,
        },
      ],
      usage: usage(85, 102, 187, 0, 72),
    });
  });

  it("leaves thought parts out of the content and counts thoughts and cached tokens", () => {
    const completion = mapFixture("thought-parts.json");
    expect(completion.choices).toEqual([
      {
        index: 0,
        message: { role: "assistant", content: "17 + 25 = **42**.", refusal: null },
        finish_reason: "stop",
        logprobs: null,
      },
    ]);
    expect(completion.usage).toEqual(usage(1042, 97, 1139, 1024, 88));
    expect(completion.model).toBe("gemini-2.5-pro");
  });

  it("maps a SAFETY finish with no content to content_filter", () => {
    expect(mapFixture("safety-finish.json")).toEqual({
      id: "chatcmpl-s1BBaOXzCaKl1MkPqJ7D0Aw",
      object: "chat.completion",
      created,
      model: "gemini-2.0-flash",
      choices: [
        {
          index: 0,
          message: { role: "assistant", content: null, refusal: null },
          finish_reason: "content_filter",
          logprobs: null,
        },
      ],
      usage: usage(17, 0, 17),
    });
  });

  it("maps several candidates to several choices", () => {
    const completion = mapFixture("two-candidates.json");
    expect(completion.choices).toEqual([
      {
        index: 0,
        message: { role: "assistant", content: "Blue.", refusal: null },
        finish_reason: "stop",
        logprobs: null,
      },
      {
        index: 1,
        message: { role: "assistant", content: "Green, probably.", refusal: null },
        finish_reason: "length",
        logprobs: null,
      },
    ]);
    expect(completion.usage).toEqual(usage(7, 6, 13));
  });

  it("maps logprobsResult to OpenAI logprobs", () => {
    expect(mapFixture("logprobs.json").choices[0]!["logprobs"]).toEqual({
      content: [
        {
          token: "Yes",
          logprob: -0.0019,
          bytes: [89, 101, 115],
          top_logprobs: [
            { token: "Yes", logprob: -0.0019, bytes: [89, 101, 115] },
            { token: "No", logprob: -6.27, bytes: [78, 111] },
          ],
        },
      ],
      refusal: null,
    });
  });

  it("throws InvalidRequestError naming the reason when the prompt was blocked", () => {
    const body = loadJson("prompt-blocked.json");
    validateGeminiResponse(body);
    let error: unknown;
    try {
      fromGeminiResponse(body, { model: "gemini-2.0-flash", now, newId: counterIds() });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(InvalidRequestError);
    const invalid = error as InvalidRequestError;
    expect(invalid.message).toBe("Gemini blocked the prompt (blockReason PROHIBITED_CONTENT).");
    expect(invalid.code).toBe("invalid_request");
    expect(invalid.status).toBe(400);
    expect(invalid.provider).toBe("gemini");
  });

  it("mints the completion id and uses the requested model when Gemini sends neither", () => {
    const body = {
      candidates: [{ content: { role: "model", parts: [{ text: "ok" }] }, finishReason: "STOP" }],
    };
    validateGeminiResponse(body);
    const completion = fromGeminiResponse(body, {
      model: "gemini-2.0-flash-lite",
      now,
      newId: counterIds("n"),
    });
    validateOpenAI("CreateChatCompletionResponse", completion);
    expect(completion).toEqual({
      id: "chatcmpl-n1",
      object: "chat.completion",
      created,
      model: "gemini-2.0-flash-lite",
      choices: [
        {
          index: 0,
          message: { role: "assistant", content: "ok", refusal: null },
          finish_reason: "stop",
          logprobs: null,
        },
      ],
    });
  });

  it("throws a retryable 502 for a body that is not a response", () => {
    for (const body of ["<html>", {}, { candidates: [] }]) {
      let error: unknown;
      try {
        fromGeminiResponse(body, { model: "m", now, newId: counterIds() });
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(LlmuxError);
      expect(error).not.toBeInstanceOf(InvalidRequestError);
      expect((error as LlmuxError).status).toBe(502);
      expect((error as LlmuxError).retryable).toBe(true);
    }
  });
});

describe("thoughtSignature and call id round trip", () => {
  it("sends the signature back on the functionCall part it came with", () => {
    const completion = mapFixture("parallel-function-calls.json");
    const message = completion.choices[0]!.message as { tool_calls: Array<{ id: string }> };
    const [paris, london] = message.tool_calls;
    const body = toGeminiRequest({
      model: "gemini-2.5-flash",
      messages: [
        { role: "user", content: "Weather in Paris and London?" },
        { role: "assistant", content: null, tool_calls: message.tool_calls },
        { role: "tool", tool_call_id: paris!.id, content: '{"temperature":21}' },
        { role: "tool", tool_call_id: london!.id, content: '{"temperature":14}' },
      ],
    });
    validateGeminiRequest(body);
    expect(body).toEqual({
      contents: [
        { role: "user", parts: [{ text: "Weather in Paris and London?" }] },
        {
          role: "model",
          parts: [
            {
              functionCall: { name: "get_weather", args: { city: "Paris", unit: "celsius" } },
              thoughtSignature: signature,
            },
            { functionCall: { name: "get_weather", args: { city: "London", unit: "celsius" } } },
          ],
        },
        {
          role: "user",
          parts: [
            { functionResponse: { name: "get_weather", response: { temperature: 21 } } },
            { functionResponse: { name: "get_weather", response: { temperature: 14 } } },
          ],
        },
      ],
    });
  });

  it("sends Gemini's functionCall id back on the call and its response", () => {
    const response = {
      candidates: [
        {
          content: {
            role: "model",
            parts: [
              {
                functionCall: { id: "fc-9Qx1", name: "get_time", args: { zone: "UTC" } },
                thoughtSignature: "CiQBVKhc7g==",
              },
            ],
          },
          finishReason: "STOP",
          index: 0,
        },
      ],
      modelVersion: "gemini-3-pro-preview",
      responseId: "r-1",
    };
    validateGeminiResponse(response);
    const completion = fromGeminiResponse(response, {
      model: "gemini-3-pro-preview",
      now,
      newId: counterIds(),
    });
    validateOpenAI("CreateChatCompletionResponse", completion);
    const message = completion.choices[0]!.message as { tool_calls: Array<{ id: string }> };
    expect(message.tool_calls[0]!.id).toBe("call_id1__gid_66632d39517831__ts_CiQBVKhc7g");
    const body = toGeminiRequest({
      model: "gemini-3-pro-preview",
      messages: [
        { role: "user", content: "Time?" },
        { role: "assistant", content: null, tool_calls: message.tool_calls },
        { role: "tool", tool_call_id: message.tool_calls[0]!.id, content: "12:00" },
      ],
    });
    validateGeminiRequest(body);
    expect(body["contents"]).toEqual([
      { role: "user", parts: [{ text: "Time?" }] },
      {
        role: "model",
        parts: [
          {
            functionCall: { id: "fc-9Qx1", name: "get_time", args: { zone: "UTC" } },
            thoughtSignature: "CiQBVKhc7g==",
          },
        ],
      },
      {
        role: "user",
        parts: [{ functionResponse: { id: "fc-9Qx1", name: "get_time", response: { result: "12:00" } } }],
      },
    ]);
  });
});
