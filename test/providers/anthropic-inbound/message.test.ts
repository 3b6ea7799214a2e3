import { describe, expect, it } from "vitest";
import { anthropicMessageId, toAnthropicMessage } from "../../../src/providers/anthropic/index.js";
import type { ChatCompletionBody } from "../../../src/types/index.js";
import {
  brokenArgumentsCompletion,
  lengthCompletion,
  reasoningCompletion,
  textCompletion,
  toolCompletion,
} from "../../helpers/chat-fixtures.js";
import { validateAnthropic } from "../anthropic/anthropic-spec.js";

const model = "claude-sonnet-4-5";

function mapped(body: ChatCompletionBody) {
  const message = toAnthropicMessage(body, model);
  validateAnthropic("Message", message);
  return message;
}

function withFinish(finishReason: string | null, extra: Record<string, unknown> = {}): ChatCompletionBody {
  const choice = { ...textCompletion.choices[0]!, finish_reason: finishReason, ...extra };
  return { ...textCompletion, choices: [choice] };
}

describe("toAnthropicMessage", () => {
  it("maps a text answer (pinned): id from the completion id, the requested model, usage without cache reads", () => {
    expect(mapped(textCompletion)).toEqual({
      id: "msg_C8mZa1QwE7rT5yU3iO9pL2kJh",
      type: "message",
      role: "assistant",
      model,
      content: [{ type: "text", text: "The tests pass now.", citations: null }],
      stop_reason: "end_turn",
      stop_sequence: null,
      stop_details: null,
      container: null,
      usage: {
        input_tokens: 220,
        output_tokens: 9,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 1920,
        cache_creation: null,
        server_tool_use: null,
        service_tier: null,
        inference_geo: null,
      },
    });
  });

  it("maps text and tool calls to a text block and tool_use blocks with parsed input", () => {
    const message = mapped(toolCompletion);
    expect(message.content).toEqual([
      { type: "text", text: "Running the tests and reading the manifest.", citations: null },
      {
        type: "tool_use",
        id: "call_A1bsT9wQe",
        name: "Bash",
        input: { command: "npm test", description: "Run the tests" },
        caller: { type: "direct" },
      },
      {
        type: "tool_use",
        id: "call_B2ctU0xRf",
        name: "Read",
        input: { file_path: "/repo/package.json" },
        caller: { type: "direct" },
      },
    ]);
    expect(message.stop_reason).toBe("tool_use");
  });

  it("reasoning → a leading thinking block; length → max_tokens", () => {
    expect(mapped(reasoningCompletion).content[0]).toEqual({
      type: "thinking",
      thinking: "The user wants a haiku.",
      signature: "",
    });
    const reasoning = {
      ...reasoningCompletion.choices[0]!,
      message: { role: "assistant", content: "x", reasoning: "why" },
    };
    expect(mapped({ ...reasoningCompletion, choices: [reasoning] }).content[0]).toMatchObject({
      thinking: "why",
    });
    expect(mapped(lengthCompletion).stop_reason).toBe("max_tokens");
  });

  it("a tool call whose arguments are not a JSON object gets input {}", () => {
    const message = mapped(brokenArgumentsCompletion);
    expect(message.content).toEqual([
      { type: "tool_use", id: "call_bad", name: "Bash", input: {}, caller: { type: "direct" } },
    ]);
  });

  it.each([
    ["stop", {}, "end_turn", null],
    ["stop", { stop_reason: "\n\nHuman:" }, "stop_sequence", "\n\nHuman:"],
    ["stop", { matched_stop: "END" }, "stop_sequence", "END"],
    ["stop", { matched_stop: 128009 }, "end_turn", null],
    ["length", {}, "max_tokens", null],
    ["tool_calls", {}, "tool_use", null],
    ["function_call", {}, "tool_use", null],
    ["content_filter", {}, "refusal", null],
    [null, {}, "end_turn", null],
  ])("finish_reason %s (%j) → %s / %s", (finish, extra, stopReason, stopSequence) => {
    const message = mapped(withFinish(finish, extra));
    expect([message.stop_reason, message.stop_sequence]).toEqual([stopReason, stopSequence]);
  });

  it("empty answers, refusals, parts content, missing usage and ids that need cleaning", () => {
    const empty = mapped({
      ...textCompletion,
      id: "",
      usage: null,
      choices: [{ ...textCompletion.choices[0]!, message: { role: "assistant", content: "" } }],
    });
    expect(empty).toMatchObject({
      id: "msg_llmux",
      content: [],
      usage: { input_tokens: 0, output_tokens: 0 },
    });
    const refusal = { role: "assistant", content: null, refusal: "I can't help with that." };
    expect(mapped(withFinish("content_filter", { message: refusal })).content).toEqual([
      { type: "text", text: "I can't help with that.", citations: null },
    ]);
    const parts = {
      role: "assistant",
      content: [
        { type: "text", text: "a" },
        { type: "text", text: "b" },
      ],
    };
    expect(mapped(withFinish("stop", { message: parts })).content).toEqual([
      { type: "text", text: "ab", citations: null },
    ]);
    const kimi = {
      role: "assistant",
      content: null,
      tool_calls: [{ id: "functions.Read:0", type: "function", function: { name: "Read", arguments: "{}" } }],
    };
    expect(mapped(withFinish("tool_calls", { message: kimi })).content[0]).toMatchObject({
      id: "functions_Read_0",
    });
    expect(toAnthropicMessage(textCompletion, model, { messageId: "msg_given" }).id).toBe("msg_given");
  });

  it.each([
    ["chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT", "msg_B9MBs8CjcvOU2jLn4n570S5qMJKcT"],
    ["gen-1757000000-AbCdEf", "msg_gen-1757000000-AbCdEf"],
    ["msg_01XFDUDYJgAACzvnptvVoYEL", "msg_01XFDUDYJgAACzvnptvVoYEL"],
    ["a.b:c", "msg_a_b_c"],
    ["", "msg_llmux"],
  ])("anthropicMessageId(%j) = %j", (id, expected) => {
    expect(anthropicMessageId(id)).toBe(expected);
  });
});
