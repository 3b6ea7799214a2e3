import { describe, expect, it } from "vitest";
import { toResponsesResponse, type ResponsesContext } from "../../../src/providers/openai/index.js";
import type { ChatCompletionBody, Usage } from "../../../src/types/index.js";
import {
  brokenArgumentsCompletion,
  lengthCompletion,
  reasoningCompletion,
  textCompletion,
  toolCompletion,
} from "../../helpers/chat-fixtures.js";
import { validateOpenAI } from "../../helpers/openai-spec.js";
import { codexTurn, patch } from "./fixtures/codex.js";

const context: ResponsesContext = {
  body: codexTurn,
  responseId: "resp_68c1f0b7",
  createdAt: 1_757_000_100,
  customTools: ["apply_patch"],
};

function mapped(body: ChatCompletionBody, given: ResponsesContext = context): Record<string, unknown> {
  const response = toResponsesResponse(body, given);
  validateOpenAI("Response", response);
  return response;
}

function withMessage(message: Record<string, unknown>, finishReason = "stop"): ChatCompletionBody {
  return {
    ...textCompletion,
    choices: [
      {
        index: 0,
        message: { role: "assistant", refusal: null, ...message },
        logprobs: null,
        finish_reason: finishReason,
      },
    ],
  };
}

describe("toResponsesResponse", () => {
  it("maps a text answer with the request echoed (pinned)", () => {
    expect(mapped(textCompletion)).toEqual({
      id: "resp_68c1f0b7",
      object: "response",
      created_at: 1_757_000_100,
      status: "completed",
      background: false,
      error: null,
      incomplete_details: null,
      instructions: codexTurn.instructions,
      max_output_tokens: null,
      model: "gpt-5-codex",
      output: [
        {
          id: "msg_68c1f0b7_0",
          type: "message",
          status: "completed",
          role: "assistant",
          content: [{ type: "output_text", text: "The tests pass now.", annotations: [], logprobs: [] }],
        },
      ],
      parallel_tool_calls: false,
      previous_response_id: null,
      prompt_cache_key: "0199c1f0-9a7b-7c3d-8e5f-1a2b3c4d5e6f",
      reasoning: { effort: "medium", summary: "auto" },
      safety_identifier: null,
      store: false,
      temperature: 1,
      text: { format: { type: "text" } },
      tool_choice: "auto",
      tools: codexTurn.tools,
      top_p: 1,
      truncation: "disabled",
      metadata: {},
      usage: {
        input_tokens: 2140,
        input_tokens_details: { cached_tokens: 1920, cache_write_tokens: 0 },
        output_tokens: 9,
        output_tokens_details: { reasoning_tokens: 0 },
        total_tokens: 2149,
      },
    });
  });

  it("maps text and tool calls to a message item and function_call items", () => {
    expect(mapped(toolCompletion)["output"]).toEqual([
      {
        id: "msg_68c1f0b7_0",
        type: "message",
        status: "completed",
        role: "assistant",
        content: [
          {
            type: "output_text",
            text: "Running the tests and reading the manifest.",
            annotations: [],
            logprobs: [],
          },
        ],
      },
      {
        id: "fc_68c1f0b7_1",
        type: "function_call",
        status: "completed",
        arguments: '{"command":"npm test","description":"Run the tests"}',
        call_id: "call_A1bsT9wQe",
        name: "Bash",
      },
      {
        id: "fc_68c1f0b7_2",
        type: "function_call",
        status: "completed",
        arguments: '{"file_path":"/repo/package.json"}',
        call_id: "call_B2ctU0xRf",
        name: "Read",
      },
    ]);
  });

  it("a call of a custom tool becomes a custom_tool_call item with the raw input unwrapped", () => {
    const body = withMessage(
      {
        content: null,
        tool_calls: [
          {
            id: "call_p1",
            type: "function",
            function: { name: "apply_patch", arguments: JSON.stringify({ input: patch }) },
          },
        ],
      },
      "tool_calls",
    );
    expect(mapped(body)["output"]).toEqual([
      {
        id: "ctc_68c1f0b7_0",
        type: "custom_tool_call",
        status: "completed",
        call_id: "call_p1",
        input: patch,
        name: "apply_patch",
      },
    ]);
  });

  it("reasoning → a reasoning item first (reasoning_text content), usage with reasoning tokens", () => {
    const response = mapped(reasoningCompletion);
    expect((response["output"] as unknown[])[0]).toEqual({
      id: "rs_68c1f0b7_0",
      type: "reasoning",
      summary: [],
      content: [{ type: "reasoning_text", text: "The user wants a haiku." }],
      status: "completed",
    });
    expect(response["usage"]).toMatchObject({ output_tokens_details: { reasoning_tokens: 12 } });
  });

  it("length → incomplete (max_output_tokens); content_filter → incomplete (content_filter)", () => {
    const cut = mapped(lengthCompletion);
    expect([cut["status"], cut["incomplete_details"]]).toEqual([
      "incomplete",
      { reason: "max_output_tokens" },
    ]);
    expect((cut["output"] as Array<{ status: string }>)[0]?.status).toBe("incomplete");
    const filtered = mapped(withMessage({ content: "" }, "content_filter"));
    expect([filtered["status"], filtered["incomplete_details"], filtered["output"]]).toEqual([
      "incomplete",
      { reason: "content_filter" },
      [],
    ]);
  });

  it("refusals, broken arguments, no usage, minted call ids and a bare request", () => {
    const refusal = mapped(withMessage({ content: null, refusal: "I can't help with that." }));
    expect(refusal["output"]).toEqual([
      {
        id: "msg_68c1f0b7_0",
        type: "message",
        status: "completed",
        role: "assistant",
        content: [{ type: "refusal", refusal: "I can't help with that." }],
      },
    ]);
    const broken = mapped(brokenArgumentsCompletion);
    expect((broken["output"] as Array<{ arguments: string }>)[0]?.arguments).toBe('{"command": "ls');
    const noUsage = mapped({ ...textCompletion, usage: null });
    expect(noUsage).not.toHaveProperty("usage");
    const noId = withMessage(
      { content: null, tool_calls: [{ type: "function", function: { name: "shell", arguments: "{}" } }] },
      "tool_calls",
    );
    expect((mapped(noId)["output"] as Array<{ call_id: string }>)[0]?.call_id).toBe("call_68c1f0b7_0");
    const bare = mapped(textCompletion, {
      ...context,
      body: { model: "m", input: "hi", user: "u_1", metadata: { a: "b" }, temperature: 0.3 },
    });
    expect(bare).toMatchObject({
      instructions: null,
      tools: [],
      tool_choice: "auto",
      parallel_tool_calls: true,
      store: true,
      temperature: 0.3,
      top_p: 1,
      reasoning: null,
      user: "u_1",
      metadata: { a: "b" },
    });
  });

  it("usage without details and without total", () => {
    const bare = { prompt_tokens: 10, completion_tokens: 5 } as unknown as Usage;
    expect(mapped({ ...textCompletion, usage: bare })["usage"]).toEqual({
      input_tokens: 10,
      input_tokens_details: { cached_tokens: 0, cache_write_tokens: 0 },
      output_tokens: 5,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: 15,
    });
  });
});
