import { describe, expect, it } from "vitest";
import { rewriteOpenApi30, validateOpenAI } from "../helpers/openai-spec.js";

const completion = () => ({
  id: "chatcmpl-1",
  object: "chat.completion",
  created: 1_700_000_000,
  model: "gpt-4o-mini",
  choices: [
    {
      index: 0,
      message: { role: "assistant", content: "Hello.", refusal: null },
      logprobs: null,
      finish_reason: "stop",
    },
  ],
  usage: { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 },
});

const chunk = (finishReason: string | null) => ({
  id: "chatcmpl-1",
  object: "chat.completion.chunk",
  created: 1_700_000_000,
  model: "gpt-4o-mini",
  choices: [{ index: 0, delta: { content: "Hi" }, logprobs: null, finish_reason: finishReason }],
  usage: null,
});

describe("validateOpenAI (OpenAI spec via Ajv2020)", () => {
  it("accepts a correct chat completion, stream chunks with nulls, a usage chunk and an error body", () => {
    expect(() => validateOpenAI("CreateChatCompletionResponse", completion())).not.toThrow();
    expect(() => validateOpenAI("CreateChatCompletionStreamResponse", chunk(null))).not.toThrow();
    expect(() => validateOpenAI("CreateChatCompletionStreamResponse", chunk("length"))).not.toThrow();
    const usageChunk = { ...chunk(null), choices: [], usage: completion().usage };
    expect(() => validateOpenAI("CreateChatCompletionStreamResponse", usageChunk)).not.toThrow();
    const error = { error: { message: "no", type: "invalid_request_error", param: null, code: null } };
    expect(() => validateOpenAI("ErrorResponse", error)).not.toThrow();
  });

  it("rejects a wrong finish_reason, naming the path", () => {
    const body = completion();
    body.choices[0]!.finish_reason = "done";
    expect(() => validateOpenAI("CreateChatCompletionResponse", body)).toThrow(
      /\/choices\/0\/finish_reason must be equal to one of the allowed values/,
    );
    expect(() => validateOpenAI("CreateChatCompletionStreamResponse", chunk("finished"))).toThrow(
      /\/choices\/0\/finish_reason/,
    );
  });

  it("rejects a missing choices, a missing logprobs and an incomplete error body", () => {
    const { choices: _choices, ...withoutChoices } = completion();
    expect(() => validateOpenAI("CreateChatCompletionResponse", withoutChoices)).toThrow(
      /must have required property 'choices'/,
    );
    const body = completion();
    const { logprobs: _logprobs, ...choice } = body.choices[0]!;
    expect(() => validateOpenAI("CreateChatCompletionResponse", { ...body, choices: [choice] })).toThrow(
      /\/choices\/0 must have required property 'logprobs'/,
    );
    expect(() => validateOpenAI("ErrorResponse", { error: { message: "no", type: "x" } })).toThrow(
      /\/error must have required property 'param'/,
    );
  });

  it("rejects a null that the spec does not allow, and an unknown schema name", () => {
    const body = { ...completion(), system_fingerprint: null };
    expect(() => validateOpenAI("CreateChatCompletionResponse", body)).toThrow(/\/system_fingerprint/);
    expect(() => validateOpenAI("NoSuchSchema", {})).toThrow(/no schema named NoSuchSchema/);
  });

  it("rewrites OpenAPI 3.0 nullable for type, enum, $ref, allOf and oneOf nodes", () => {
    const schemas = {
      plain: { type: "string", nullable: true },
      choices: { type: "string", enum: ["a", "b"], nullable: true },
      ref: { $ref: "#/x", nullable: true, description: "kept" },
      all: { allOf: [{ $ref: "#/y" }], nullable: true },
      one: { oneOf: [{ type: "string" }, { type: "integer" }], nullable: true },
      nested: { properties: { inner: { type: "integer", nullable: true } } },
      loose: { description: "anything", nullable: true },
      strict: { type: "string", nullable: false },
    };
    expect(rewriteOpenApi30(schemas)).toBe(7);
    expect(schemas).toEqual({
      plain: { type: ["string", "null"] },
      choices: { type: ["string", "null"], enum: ["a", "b", null] },
      ref: { description: "kept", anyOf: [{ $ref: "#/x" }, { type: "null" }] },
      all: { anyOf: [{ allOf: [{ $ref: "#/y" }] }, { type: "null" }] },
      one: { anyOf: [{ oneOf: [{ type: "string" }, { type: "integer" }] }, { type: "null" }] },
      nested: { properties: { inner: { type: ["integer", "null"] } } },
      loose: { description: "anything" },
      strict: { type: "string" },
    });
  });
});
