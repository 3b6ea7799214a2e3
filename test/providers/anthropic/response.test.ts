import { describe, expect, it } from "vitest";
import { fromAnthropicMessage } from "../../../src/providers/anthropic/index.js";
import { validateOpenAI } from "../../helpers/openai-spec.js";
import {
  maxTokensMessage,
  parallelToolUseMessage,
  refusalMessage,
  stopSequenceMessage,
  textMessage,
  thinkingTextMessage,
  thinkingToolOnlyMessage,
} from "./fixtures/messages.js";

const now = 1_767_225_600_987;
const created = 1_767_225_600;

function mapped(body: unknown): ReturnType<typeof fromAnthropicMessage> {
  const result = fromAnthropicMessage(body, now);
  validateOpenAI("CreateChatCompletionResponse", result);
  return result;
}

describe("fromAnthropicMessage", () => {
  it("maps a text answer", () => {
    expect(mapped(textMessage)).toEqual({
      id: "msg_01XFDUDYJgAACzvnptvVoYEL",
      object: "chat.completion",
      created,
      model: "claude-sonnet-4-5-20250929",
      choices: [
        {
          index: 0,
          message: { role: "assistant", content: "Hello! How can I help you today?", refusal: null },
          finish_reason: "stop",
          logprobs: null,
        },
      ],
      usage: {
        prompt_tokens: 12,
        completion_tokens: 11,
        total_tokens: 23,
        prompt_tokens_details: { cached_tokens: 0 },
      },
    });
  });

  it("maps text and parallel tool calls, counting cached prompt tokens", () => {
    expect(mapped(parallelToolUseMessage)).toEqual({
      id: "msg_01Aq9w938a90dw8q",
      object: "chat.completion",
      created,
      model: "claude-sonnet-4-5-20250929",
      choices: [
        {
          index: 0,
          message: {
            role: "assistant",
            content: "I'll check the weather in both cities.",
            refusal: null,
            tool_calls: [
              {
                id: "toolu_01A09q90qw90lq917835lq9",
                type: "function",
                function: {
                  name: "get_weather",
                  arguments: '{"location":"San Francisco, CA","unit":"celsius"}',
                },
              },
              {
                id: "toolu_01B7hX2qKkP5nWk3g9cT4mRz",
                type: "function",
                function: { name: "get_weather", arguments: '{"location":"New York, NY","unit":"celsius"}' },
              },
            ],
          },
          finish_reason: "tool_calls",
          logprobs: null,
        },
      ],
      usage: {
        prompt_tokens: 2220,
        completion_tokens: 96,
        total_tokens: 2316,
        prompt_tokens_details: { cached_tokens: 1800 },
      },
    });
  });

  it("drops thinking and gives null content when there are only tool calls", () => {
    expect(mapped(thinkingToolOnlyMessage)).toEqual({
      id: "msg_01Tk7Q3xRJm8cP2vNw4Ls9Yb",
      object: "chat.completion",
      created,
      model: "claude-opus-4-1-20250805",
      choices: [
        {
          index: 0,
          message: {
            role: "assistant",
            content: null,
            refusal: null,
            tool_calls: [
              {
                id: "toolu_01NRLabsLyVHZPKxbKvkfSMn",
                type: "function",
                function: { name: "get_time", arguments: '{"timezone":"Asia/Tokyo"}' },
              },
            ],
          },
          finish_reason: "tool_calls",
          logprobs: null,
        },
      ],
      usage: {
        prompt_tokens: 2358,
        completion_tokens: 88,
        total_tokens: 2446,
        prompt_tokens_details: { cached_tokens: 0 },
      },
    });
  });

  it("drops thinking and redacted thinking and joins text blocks", () => {
    const result = mapped(thinkingTextMessage);
    expect(result.choices).toEqual([
      {
        index: 0,
        message: { role: "assistant", content: "27 × 453 = 12,231.", refusal: null },
        finish_reason: "stop",
        logprobs: null,
      },
    ]);
    expect(result.usage).toEqual({
      prompt_tokens: 44,
      completion_tokens: 210,
      total_tokens: 254,
      prompt_tokens_details: { cached_tokens: 0 },
    });
  });

  it.each([
    ["max_tokens", maxTokensMessage, "length"],
    ["stop_sequence", stopSequenceMessage, "stop"],
    ["refusal", refusalMessage, "content_filter"],
  ])("maps stop_reason %s", (_reason, body, finish) => {
    expect(mapped(body).choices[0]?.finish_reason).toBe(finish);
  });

  it("tolerates a minimal message (no cache fields, no stop reason, no usage)", () => {
    const minimal = {
      id: "msg_min",
      type: "message",
      role: "assistant",
      model: "claude-3-haiku-20240307",
      content: [{ type: "tool_use", id: "toolu_x", name: "ping", input: {} }],
      stop_reason: null,
    };
    expect(mapped(minimal)).toEqual({
      id: "msg_min",
      object: "chat.completion",
      created,
      model: "claude-3-haiku-20240307",
      choices: [
        {
          index: 0,
          message: {
            role: "assistant",
            content: null,
            refusal: null,
            tool_calls: [{ id: "toolu_x", type: "function", function: { name: "ping", arguments: "{}" } }],
          },
          finish_reason: "tool_calls",
          logprobs: null,
        },
      ],
      usage: {
        prompt_tokens: 0,
        completion_tokens: 0,
        total_tokens: 0,
        prompt_tokens_details: { cached_tokens: 0 },
      },
    });
  });

  it("gives empty-string content for an empty text block", () => {
    const body = { ...textMessage, content: [{ type: "text", text: "" }] };
    expect(mapped(body).choices[0]?.message).toEqual({ role: "assistant", content: "", refusal: null });
  });

  it("throws a TypeError for a body that is not an object", () => {
    expect(() => fromAnthropicMessage("Bad Gateway", now)).toThrow(TypeError);
  });
});
