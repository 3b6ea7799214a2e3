import { describe, expect, it } from "vitest";
import { InvalidRequestError } from "../../../src/errors/index.js";
import {
  droppedAnthropicTools,
  fromAnthropicCountTokensRequest,
  fromAnthropicRequest,
  toAnthropicCountTokens,
} from "../../../src/providers/anthropic/index.js";
import { validateOpenAI } from "../../helpers/openai-spec.js";
import { validateAnthropic } from "../anthropic/anthropic-spec.js";
import { bashTool, claudeCodeTurn, editTool, quotaProbe, readTool } from "./fixtures/claude-code.js";

const model = "claude-sonnet-4-5-20250929";
const hello = [{ role: "user", content: "hello" }];

function rejection(body: unknown): { message: string; param: string | null } {
  try {
    fromAnthropicRequest(body);
  } catch (error) {
    if (!(error instanceof InvalidRequestError)) throw error;
    return { message: error.message, param: error.param };
  }
  throw new Error("expected an InvalidRequestError");
}

function fn(tool: { name: string; description: string; input_schema: unknown }): unknown {
  return {
    type: "function",
    function: { name: tool.name, description: tool.description, parameters: tool.input_schema },
  };
}

describe("fromAnthropicRequest: a Claude Code turn", () => {
  it("the fixtures are valid Anthropic requests", () => {
    validateAnthropic("CreateMessageParams", claudeCodeTurn);
    validateAnthropic("CreateMessageParams", quotaProbe);
  });

  it("maps system blocks, thinking, tool_use / tool_result history, tools and options (pinned)", () => {
    const request = fromAnthropicRequest(claudeCodeTurn);
    expect(request).toEqual({
      model,
      messages: [
        {
          role: "system",
          content:
            "You are Claude Code, Anthropic's official CLI for Claude.\n\nYou are an interactive CLI tool that helps users with software engineering tasks.",
        },
        {
          role: "user",
          content:
            "<system-reminder>\nAs you answer the user's questions, you can use the following context:\n# important-instruction-reminders\nDo what has been asked; nothing more, nothing less.\n</system-reminder>\n\nThe add test fails, fix it",
        },
        {
          role: "assistant",
          content: "Let me look at the test.",
          tool_calls: [
            {
              id: "toolu_01VxXb7kq5L3pD9sRz2WmN4e",
              type: "function",
              function: { name: "Read", arguments: '{"file_path":"/repo/test/add.test.ts"}' },
            },
          ],
        },
        {
          role: "tool",
          tool_call_id: "toolu_01VxXb7kq5L3pD9sRz2WmN4e",
          content:
            "     1→import { add } from '../src/add';\n     2→test('adds', () => expect(add(1, 2)).toBe(3));\n",
        },
        {
          role: "assistant",
          content: null,
          tool_calls: [
            {
              id: "toolu_01Hq3oJv8cE6nT1yUa5BfK2d",
              type: "function",
              function: {
                name: "Edit",
                arguments: '{"file_path":"/repo/src/add.ts","old_string":"a - b","new_string":"a + b"}',
              },
            },
            {
              id: "toolu_01Ld8rWn2sF4gH7jKq9ZxC3v",
              type: "function",
              function: {
                name: "Bash",
                arguments: '{"command":"npm test -- add","description":"Run the add test"}',
              },
            },
          ],
        },
        {
          role: "tool",
          tool_call_id: "toolu_01Hq3oJv8cE6nT1yUa5BfK2d",
          content: "The file /repo/src/add.ts has been updated.",
        },
        {
          role: "tool",
          tool_call_id: "toolu_01Ld8rWn2sF4gH7jKq9ZxC3v",
          content: "Error: FAIL test/add.test.ts\n  ✕ adds (3 ms)",
        },
        { role: "user", content: "It still fails?" },
      ],
      tools: [fn(bashTool), fn(readTool), fn(editTool)],
      reasoning_effort: "high",
      max_tokens: 32000,
      temperature: 1,
      user: claudeCodeTurn.metadata.user_id,
      stream: true,
      stream_options: { include_usage: true },
    });
    validateOpenAI("CreateChatCompletionRequest", request);
  });

  it("maps the quota probe (no stream, no tools)", () => {
    expect(fromAnthropicRequest(quotaProbe)).toEqual({
      model: "claude-haiku-4-5-20251001",
      messages: [{ role: "user", content: "quota" }],
      max_tokens: 1,
      user: quotaProbe.metadata.user_id,
    });
  });
});

describe("fromAnthropicRequest: content", () => {
  const png =
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";

  it("images: base64 → a data URL, url → the URL; mixed content stays parts", () => {
    const request = fromAnthropicRequest({
      model,
      max_tokens: 100,
      messages: [
        {
          role: "user",
          content: [
            { type: "text", text: "What is in these?" },
            { type: "image", source: { type: "base64", media_type: "image/png", data: png } },
            { type: "image", source: { type: "url", url: "https://example.com/cat.jpg" } },
          ],
        },
      ],
    });
    expect(request.messages).toEqual([
      {
        role: "user",
        content: [
          { type: "text", text: "What is in these?" },
          { type: "image_url", image_url: { url: `data:image/png;base64,${png}` } },
          { type: "image_url", image_url: { url: "https://example.com/cat.jpg" } },
        ],
      },
    ]);
    validateOpenAI("CreateChatCompletionRequest", request);
  });

  it("documents: a base64 PDF → a file part, plain text → text (title first), content sources → parts", () => {
    const request = fromAnthropicRequest({
      model,
      max_tokens: 100,
      messages: [
        {
          role: "user",
          content: [
            {
              type: "document",
              title: "spec.pdf",
              source: { type: "base64", media_type: "application/pdf", data: "JVBERi0xLjQK" },
            },
            {
              type: "document",
              source: { type: "base64", media_type: "application/pdf", data: "JVBERi0xLjUK" },
            },
            {
              type: "document",
              title: "Notes",
              source: { type: "text", media_type: "text/plain", data: "a\nb" },
            },
            { type: "document", source: { type: "content", content: [{ type: "text", text: "inline" }] } },
          ],
        },
      ],
    });
    expect(request.messages).toEqual([
      {
        role: "user",
        content: [
          {
            type: "file",
            file: { filename: "spec.pdf", file_data: "data:application/pdf;base64,JVBERi0xLjQK" },
          },
          {
            type: "file",
            file: { filename: "document.pdf", file_data: "data:application/pdf;base64,JVBERi0xLjUK" },
          },
          { type: "text", text: "Notes\n\na\nb" },
          { type: "text", text: "inline" },
        ],
      },
    ]);
    validateOpenAI("CreateChatCompletionRequest", request);
  });

  it("refuses document and image sources a chat upstream cannot take", () => {
    const pdfUrl = { type: "document", source: { type: "url", url: "https://example.com/a.pdf" } };
    expect(rejection({ model, max_tokens: 1, messages: [{ role: "user", content: [pdfUrl] }] })).toEqual({
      message:
        'messages[0].content[0]: document source type "url" cannot be sent to this upstream (send a PDF as base64 or the text itself).',
      param: "messages[0].content[0].source",
    });
    const fileImage = { type: "image", source: { type: "file", file_id: "file_011" } };
    expect(
      rejection({ model, max_tokens: 1, messages: [{ role: "user", content: [fileImage] }] }).param,
    ).toBe("messages[0].content[0].source");
  });

  it("tool results: several → several tool messages then the rest; images move to the user message", () => {
    const request = fromAnthropicRequest({
      model,
      max_tokens: 100,
      messages: [
        {
          role: "assistant",
          content: [
            { type: "tool_use", id: "toolu_1", name: "Read", input: { file_path: "/a.png" } },
            { type: "tool_use", id: "toolu_2", name: "Read", input: { file_path: "/b.txt" } },
          ],
        },
        {
          role: "user",
          content: [
            { type: "text", text: "here you go" },
            {
              type: "tool_result",
              tool_use_id: "toolu_1",
              content: [{ type: "image", source: { type: "base64", media_type: "image/png", data: png } }],
            },
            {
              type: "tool_result",
              tool_use_id: "toolu_2",
              is_error: true,
              content: "<tool_use_error>no such file</tool_use_error>",
            },
            { type: "tool_result", tool_use_id: "toolu_3", is_error: true },
            { type: "tool_result", tool_use_id: "toolu_4", content: "Error: exit 1", is_error: true },
          ],
        },
      ],
    });
    expect(request.messages.slice(1)).toEqual([
      {
        role: "tool",
        tool_call_id: "toolu_1",
        content: "[1 image from this tool result follows in the next user message]",
      },
      {
        role: "tool",
        tool_call_id: "toolu_2",
        content: "Error: <tool_use_error>no such file</tool_use_error>",
      },
      { role: "tool", tool_call_id: "toolu_3", content: "Error" },
      { role: "tool", tool_call_id: "toolu_4", content: "Error: exit 1" },
      {
        role: "user",
        content: [
          { type: "image_url", image_url: { url: `data:image/png;base64,${png}` } },
          { type: "text", text: "here you go" },
        ],
      },
    ]);
  });

  it("assistant turns: a string stays a string, thinking-only turns vanish, mid-conversation system stays", () => {
    const request = fromAnthropicRequest({
      model,
      max_tokens: 10,
      system: "Be brief.",
      messages: [
        { role: "user", content: "hi" },
        { role: "assistant", content: [{ type: "thinking", thinking: "hmm", signature: "sig" }] },
        { role: "system", content: "Answer in French." },
        { role: "assistant", content: "Bonjour" },
      ],
    });
    expect(request.messages).toEqual([
      { role: "system", content: "Be brief." },
      { role: "user", content: "hi" },
      { role: "system", content: "Answer in French." },
      { role: "assistant", content: "Bonjour" },
    ]);
  });
});

describe("fromAnthropicRequest: tools and options", () => {
  const base = { model, max_tokens: 100, messages: hello, tools: [bashTool, readTool] };

  it.each([
    [{ type: "auto" }, { tool_choice: "auto" }],
    [{ type: "any" }, { tool_choice: "required" }],
    [{ type: "none" }, { tool_choice: "none" }],
    [{ type: "tool", name: "Read" }, { tool_choice: { type: "function", function: { name: "Read" } } }],
    [
      { type: "auto", disable_parallel_tool_use: true },
      { tool_choice: "auto", parallel_tool_calls: false },
    ],
    [
      { type: "any", disable_parallel_tool_use: true },
      { tool_choice: "required", parallel_tool_calls: false },
    ],
    [{ type: "none", disable_parallel_tool_use: true }, { tool_choice: "none" }],
  ])("tool_choice %j → %j", (choice, expected) => {
    const request = fromAnthropicRequest({ ...base, tool_choice: choice });
    expect(request).toEqual({
      model,
      messages: hello,
      tools: [fn(bashTool), fn(readTool)],
      ...expected,
      max_tokens: 100,
    });
  });

  it("drops server tools (and lists them); without client tools no tool_choice is sent", () => {
    const webSearch = { type: "web_search_20250305", name: "web_search", max_uses: 5 };
    const textEditor = { type: "text_editor_20250728", name: "str_replace_based_edit_tool" };
    const body = { ...base, tools: [webSearch, readTool, textEditor], tool_choice: { type: "auto" } };
    expect(fromAnthropicRequest(body)["tools"]).toEqual([fn(readTool)]);
    expect(droppedAnthropicTools(body)).toEqual([
      "web_search_20250305:web_search",
      "text_editor_20250728:str_replace_based_edit_tool",
    ]);
    const onlyServer = { ...base, tools: [webSearch], tool_choice: { type: "any" } };
    expect(fromAnthropicRequest(onlyServer)).toEqual({ model, messages: hello, max_tokens: 100 });
    expect(rejection({ ...body, tool_choice: { type: "tool", name: "web_search" } })).toEqual({
      message: 'tool_choice.name "web_search" is not one of the request\'s tools this upstream can call.',
      param: "tool_choice.name",
    });
  });

  it.each([
    [{ type: "enabled", budget_tokens: 1024 }, "low"],
    [{ type: "enabled", budget_tokens: 4000 }, "low"],
    [{ type: "enabled", budget_tokens: 8192 }, "medium"],
    [{ type: "enabled", budget_tokens: 10000 }, "medium"],
    [{ type: "enabled", budget_tokens: 24576 }, "high"],
    [{ type: "enabled", budget_tokens: 31999 }, "high"],
    [{ type: "disabled" }, undefined],
    [{ type: "adaptive" }, undefined],
  ])("thinking %j → reasoning_effort %s", (thinking, effort) => {
    expect(
      fromAnthropicRequest({ model, max_tokens: 64000, messages: hello, thinking })["reasoning_effort"],
    ).toBe(effort);
  });

  it("output_config: effort wins over the thinking budget; a json_schema format → response_format", () => {
    const schema = { type: "object", properties: { answer: { type: "string" } }, required: ["answer"] };
    const request = fromAnthropicRequest({
      model,
      max_tokens: 100,
      messages: hello,
      thinking: { type: "enabled", budget_tokens: 2000 },
      output_config: { effort: "max", format: { type: "json_schema", schema } },
    });
    expect(request["reasoning_effort"]).toBe("high");
    expect(request["response_format"]).toEqual({
      type: "json_schema",
      json_schema: { name: "output", schema },
    });
  });

  it("stop_sequences → stop, top_p kept, top_k and Anthropic-only fields dropped, stream false → nothing", () => {
    expect(
      fromAnthropicRequest({
        model,
        max_tokens: 5,
        messages: hello,
        stop_sequences: ["\n\nHuman:", ""],
        top_p: 0.9,
        top_k: 40,
        service_tier: "auto",
        stream: false,
        metadata: {},
      }),
    ).toEqual({ model, messages: hello, max_tokens: 5, stop: ["\n\nHuman:"], top_p: 0.9 });
  });
});

describe("fromAnthropicRequest: validation", () => {
  it.each([
    ["not an object", [], "body must be an object, not array.", "body"],
    ["no model", { max_tokens: 1, messages: hello }, "model is required.", "model"],
    ["no max_tokens", { model, messages: hello }, "max_tokens is required.", "max_tokens"],
    [
      "max_tokens 0",
      { model, max_tokens: 0, messages: hello },
      "max_tokens must be a positive integer.",
      "max_tokens",
    ],
    [
      "no messages",
      { model, max_tokens: 1, messages: [] },
      "messages must be a non-empty array.",
      "messages",
    ],
    [
      "bad role",
      { model, max_tokens: 1, messages: [{ role: "tool", content: "x" }] },
      'messages[0].role must be "user" or "assistant".',
      "messages[0].role",
    ],
    [
      "unknown block",
      { model, max_tokens: 1, messages: [{ role: "user", content: [{ type: "audio" }] }] },
      'messages[0].content[0]: unknown content block type "audio".',
      "messages[0].content[0]",
    ],
    [
      "tool_use without id",
      {
        model,
        max_tokens: 1,
        messages: [{ role: "assistant", content: [{ type: "tool_use", name: "Bash", input: {} }] }],
      },
      "messages[0].content[0]: a tool_use block needs an id and a name.",
      "messages[0].content[0]",
    ],
    [
      "tool_result without id",
      {
        model,
        max_tokens: 1,
        messages: [{ role: "user", content: [{ type: "tool_result", content: "x" }] }],
      },
      "messages[0].content[0].tool_use_id is required.",
      "messages[0].content[0].tool_use_id",
    ],
    [
      "stop_sequences not strings",
      { model, max_tokens: 1, messages: hello, stop_sequences: [1] },
      "stop_sequences must be an array of strings, not array.",
      "stop_sequences",
    ],
    [
      "temperature a string",
      { model, max_tokens: 1, messages: hello, temperature: "hot" },
      "temperature must be a number, not string.",
      "temperature",
    ],
    [
      "tool without schema",
      { model, max_tokens: 1, messages: hello, tools: [{ name: "x" }] },
      "tools[0].input_schema must be an object.",
      "tools[0].input_schema",
    ],
    [
      "bad tool_choice",
      { model, max_tokens: 1, messages: hello, tools: [readTool], tool_choice: { type: "some" } },
      "tool_choice.type must be auto, any, tool or none.",
      "tool_choice.type",
    ],
  ])("%s → InvalidRequestError", (_name, body, message, param) => {
    expect(rejection(body)).toEqual({ message, param });
  });
});

describe("count_tokens", () => {
  it("maps the prompt without max_tokens and never streams", () => {
    const body = {
      model,
      system: [{ type: "text", text: "Be brief.", cache_control: { type: "ephemeral" } }],
      messages: hello,
      tools: [readTool],
    };
    validateAnthropic("CountMessageTokensParams", body);
    expect(fromAnthropicCountTokensRequest(body)).toEqual({
      model,
      messages: [{ role: "system", content: "Be brief." }, ...hello],
      tools: [fn(readTool)],
    });
  });

  it("answers {input_tokens} as a non-negative integer", () => {
    expect(toAnthropicCountTokens(41.6)).toEqual({ input_tokens: 42 });
    expect(toAnthropicCountTokens(-3)).toEqual({ input_tokens: 0 });
    validateAnthropic("CountMessageTokensResponse", toAnthropicCountTokens(7));
  });
});
