import { describe, expect, it } from "vitest";
import { InvalidRequestError } from "../../../src/errors/index.js";
import { fromResponsesRequest } from "../../../src/providers/openai/index.js";
import { validateOpenAI } from "../../helpers/openai-spec.js";
import { validateResponsesRequest } from "../../helpers/responses-spec.js";
import {
  applyPatchGrammar,
  applyPatchTool,
  codexTurn,
  instructions,
  patch,
  shellTool,
  updatePlanTool,
  viewImageTool,
} from "./fixtures/codex.js";

const model = "gpt-5-codex";

function rejection(body: unknown): { message: string; param: string | null } {
  try {
    fromResponsesRequest(body);
  } catch (error) {
    if (!(error instanceof InvalidRequestError)) throw error;
    return { message: error.message, param: error.param };
  }
  throw new Error("expected an InvalidRequestError");
}

function fn(tool: { name: string; description: string; parameters: unknown }): unknown {
  return {
    type: "function",
    function: { name: tool.name, description: tool.description, parameters: tool.parameters },
  };
}

function call(id: string, name: string, args: string): unknown {
  return { id, type: "function", function: { name, arguments: args } };
}

/** The function tool a custom tool becomes. */
const applyPatchFunction = {
  type: "function",
  function: {
    name: "apply_patch",
    description: applyPatchTool.description,
    parameters: {
      type: "object",
      properties: {
        input: {
          type: "string",
          description: `The raw input of the tool, as plain text (it is passed to the tool verbatim). It must match this lark grammar:\n${applyPatchGrammar}`,
        },
      },
      required: ["input"],
      additionalProperties: false,
    },
  },
};

describe("fromResponsesRequest: a Codex turn", () => {
  it("the fixture is a valid Responses request", () => {
    validateResponsesRequest(codexTurn);
  });

  it("maps instructions, developer and user messages, calls, custom calls, outputs, tools and options (pinned)", () => {
    const mapped = fromResponsesRequest(codexTurn);
    const user = (index: number): unknown => ({
      role: "user",
      content: ((codexTurn.input[index] as { content: Array<{ text: string }> }).content[0] ?? { text: "" })
        .text,
    });
    expect(mapped).toEqual({
      request: {
        model,
        messages: [
          { role: "system", content: instructions },
          {
            role: "system",
            content:
              "<permissions instructions>\nFilesystem sandboxing defines which files can be read or written. `sandbox_mode` is `workspace-write`.\n</permissions instructions>",
          },
          user(1),
          user(2),
          { role: "user", content: "Fix the failing add test" },
          {
            role: "assistant",
            content: null,
            tool_calls: [
              call(
                "call_Q3mV9xLk2pR7sT1wYb5nD8fH",
                "shell",
                '{"command":["bash","-lc","cat test/add.test.ts"],"workdir":"/home/dev/repo"}',
              ),
            ],
          },
          {
            role: "tool",
            tool_call_id: "call_Q3mV9xLk2pR7sT1wYb5nD8fH",
            content:
              "Exit code: 0\nWall time: 0.1 seconds\nOutput:\nimport { add } from '../src/add';\ntest('adds', () => expect(add(1, 2)).toBe(3));\n",
          },
          {
            role: "assistant",
            content: null,
            tool_calls: [
              call("call_Z8kP4nW2qM6rT0vXc3bF7hJ1", "apply_patch", JSON.stringify({ input: patch })),
            ],
          },
          {
            role: "tool",
            tool_call_id: "call_Z8kP4nW2qM6rT0vXc3bF7hJ1",
            content:
              "Exit code: 0\nWall time: 0 seconds\nOutput:\nSuccess. Updated the following files:\nM src/add.ts\n",
          },
          {
            role: "assistant",
            content: "I fixed the operator; running the test now.",
            tool_calls: [
              call(
                "call_A7bC2dE4fG6hJ8kL0mN1pQ3r",
                "shell",
                '{"command":["bash","-lc","npm test -- add"],"workdir":"/home/dev/repo"}',
              ),
              call(
                "call_S5tU7vW9xY1zA3bC5dE7fG9h",
                "update_plan",
                '{"plan":[{"step":"Fix add","status":"completed"},{"step":"Run tests","status":"in_progress"}]}',
              ),
            ],
          },
          {
            role: "tool",
            tool_call_id: "call_A7bC2dE4fG6hJ8kL0mN1pQ3r",
            content: "Exit code: 0\nWall time: 1.2 seconds\nOutput:\nPASS test/add.test.ts\n",
          },
          { role: "tool", tool_call_id: "call_S5tU7vW9xY1zA3bC5dE7fG9h", content: "Plan updated" },
        ],
        tools: [fn(shellTool), fn(updatePlanTool), applyPatchFunction, fn(viewImageTool)],
        tool_choice: "auto",
        parallel_tool_calls: false,
        reasoning_effort: "medium",
        prompt_cache_key: "0199c1f0-9a7b-7c3d-8e5f-1a2b3c4d5e6f",
        stream: true,
        stream_options: { include_usage: true },
      },
      customTools: ["apply_patch"],
      droppedTools: ["web_search"],
      droppedItems: [],
      previousResponseId: null,
      store: false,
    });
    validateOpenAI("CreateChatCompletionRequest", mapped.request);
  });
});

describe("fromResponsesRequest: input", () => {
  it("a string input is one user message; no instructions, no system message; store defaults to true", () => {
    expect(fromResponsesRequest({ model, input: "Say hi" })).toEqual({
      request: { model, messages: [{ role: "user", content: "Say hi" }] },
      customTools: [],
      droppedTools: [],
      droppedItems: [],
      previousResponseId: null,
      store: true,
    });
  });

  it("images (URL and data URL, detail kept when low/high), files with file_data, role-only items", () => {
    const body = {
      model,
      input: [
        {
          role: "user",
          content: [
            { type: "input_text", text: "Compare" },
            { type: "input_image", image_url: "https://example.com/a.png", detail: "high" },
            { type: "input_image", image_url: "data:image/png;base64,iVBORw0K", detail: "auto" },
            { type: "input_file", filename: "spec.pdf", file_data: "data:application/pdf;base64,JVBERi0x" },
          ],
        },
      ],
    };
    validateResponsesRequest(body);
    const { request } = fromResponsesRequest(body);
    expect(request.messages).toEqual([
      {
        role: "user",
        content: [
          { type: "text", text: "Compare" },
          { type: "image_url", image_url: { url: "https://example.com/a.png", detail: "high" } },
          { type: "image_url", image_url: { url: "data:image/png;base64,iVBORw0K" } },
          { type: "file", file: { filename: "spec.pdf", file_data: "data:application/pdf;base64,JVBERi0x" } },
        ],
      },
    ]);
    validateOpenAI("CreateChatCompletionRequest", request);
  });

  it("tool outputs with images: the text stays in the tool message, the image follows in a user message", () => {
    const { request } = fromResponsesRequest({
      model,
      input: [
        { type: "function_call", call_id: "call_1", name: "view_image", arguments: '{"path":"/tmp/a.png"}' },
        {
          type: "function_call_output",
          call_id: "call_1",
          output: [
            { type: "input_text", text: "attached" },
            { type: "input_image", image_url: "data:image/png;base64,iVBORw0K" },
          ],
        },
        { type: "message", role: "user", content: [{ type: "input_text", text: "What is it?" }] },
      ],
    });
    expect(request.messages.slice(1)).toEqual([
      {
        role: "tool",
        tool_call_id: "call_1",
        content: "attached\n[1 attachment from this tool output follows in the next user message]",
      },
      {
        role: "user",
        content: [{ type: "image_url", image_url: { url: "data:image/png;base64,iVBORw0K" } }],
      },
      { role: "user", content: "What is it?" },
    ]);
  });

  it("drops built-in tool records and reasoning, and lists the records", () => {
    const mapped = fromResponsesRequest({
      model,
      input: [
        { role: "user", content: "news?" },
        { type: "reasoning", id: "rs_1", summary: [] },
        {
          type: "web_search_call",
          id: "ws_1",
          status: "completed",
          action: { type: "search", query: "news" },
        },
        { type: "message", role: "assistant", content: [{ type: "output_text", text: "Here is the news." }] },
      ],
    });
    expect(mapped.request.messages).toEqual([
      { role: "user", content: "news?" },
      { role: "assistant", content: "Here is the news." },
    ]);
    expect(mapped.droppedItems).toEqual(["web_search_call"]);
  });

  it("puts the resolved history before the input and returns previous_response_id", () => {
    const mapped = fromResponsesRequest(
      { model, instructions: "Be brief.", previous_response_id: "resp_prev", input: "And then?" },
      {
        history: [
          { type: "message", role: "user", content: "Tell me a story" },
          { type: "message", role: "assistant", content: [{ type: "output_text", text: "Once…" }] },
        ],
      },
    );
    expect(mapped.request.messages).toEqual([
      { role: "system", content: "Be brief." },
      { role: "user", content: "Tell me a story" },
      { role: "assistant", content: "Once…" },
      { role: "user", content: "And then?" },
    ]);
    expect(mapped.previousResponseId).toBe("resp_prev");
  });
});

describe("fromResponsesRequest: tools and options", () => {
  const tools = [shellTool, applyPatchTool];

  it.each([
    ["auto", "auto"],
    ["none", "none"],
    ["required", "required"],
    [
      { type: "function", name: "shell" },
      { type: "function", function: { name: "shell" } },
    ],
    [
      { type: "custom", name: "apply_patch" },
      { type: "function", function: { name: "apply_patch" } },
    ],
    [{ type: "allowed_tools", mode: "required", tools: [{ type: "function", name: "shell" }] }, "required"],
    [{ type: "allowed_tools", mode: "auto", tools: [{ type: "function", name: "shell" }] }, "auto"],
  ])("tool_choice %j → %j", (choice, expected) => {
    expect(
      fromResponsesRequest({ model, input: "x", tools, tool_choice: choice }).request["tool_choice"],
    ).toEqual(expected);
  });

  it("function tools keep strict only when true; built-in tools are dropped with their names", () => {
    const mapped = fromResponsesRequest({
      model,
      input: "x",
      tools: [
        { type: "function", name: "lookup", parameters: { type: "object", properties: {} }, strict: true },
        { type: "function", name: "noargs", parameters: null, strict: false },
        { type: "mcp", server_label: "github", server_url: "https://mcp.example.com" },
        { type: "file_search", vector_store_ids: ["vs_1"] },
        { type: "local_shell" },
        { type: "namespace", name: "tools_ns", tools: [] },
      ],
      parallel_tool_calls: true,
    });
    expect(mapped.request["tools"]).toEqual([
      {
        type: "function",
        function: { name: "lookup", parameters: { type: "object", properties: {} }, strict: true },
      },
      { type: "function", function: { name: "noargs" } },
    ]);
    expect(mapped.request["parallel_tool_calls"]).toBe(true);
    expect(mapped.droppedTools).toEqual(["mcp:github", "file_search", "local_shell", "namespace:tools_ns"]);
  });

  it("without any tool left, tool_choice and parallel_tool_calls are not sent", () => {
    const mapped = fromResponsesRequest({
      model,
      input: "x",
      tools: [{ type: "web_search" }],
      tool_choice: "required",
      parallel_tool_calls: false,
    });
    expect(mapped.request).toEqual({ model, messages: [{ role: "user", content: "x" }] });
  });

  it.each([
    [{ format: { type: "text" } }, undefined],
    [{ format: { type: "json_object" } }, { type: "json_object" }],
    [
      {
        format: { type: "json_schema", name: "answer", schema: { type: "object" }, strict: true },
        verbosity: "low",
      },
      { type: "json_schema", json_schema: { name: "answer", schema: { type: "object" }, strict: true } },
    ],
  ])("text %j → response_format %j", (text, expected) => {
    expect(fromResponsesRequest({ model, input: "x", text }).request["response_format"]).toEqual(expected);
  });

  it("max_output_tokens → max_tokens; sampling, user, safety_identifier kept; metadata and include dropped", () => {
    expect(
      fromResponsesRequest({
        model,
        input: "x",
        max_output_tokens: 2048,
        temperature: 0.2,
        top_p: 0.9,
        user: "u_1",
        safety_identifier: "sid_1",
        metadata: { run: "7" },
        include: ["reasoning.encrypted_content"],
        truncation: "auto",
        service_tier: "flex",
        stream: false,
      }).request,
    ).toEqual({
      model,
      messages: [{ role: "user", content: "x" }],
      max_tokens: 2048,
      temperature: 0.2,
      top_p: 0.9,
      user: "u_1",
      safety_identifier: "sid_1",
    });
  });
});

describe("fromResponsesRequest: validation", () => {
  it.each([
    ["not an object", "hi", "body must be an object, not string.", "body"],
    ["no model", { input: "x" }, "model is required.", "model"],
    ["no input", { model, instructions: "Be nice." }, "input is required (no message to answer).", "input"],
    [
      "input a number",
      { model, input: 3 },
      "input must be a string or an array of items, not number.",
      "input",
    ],
    [
      "image by file id",
      {
        model,
        input: [{ role: "user", content: [{ type: "input_image", file_id: "file_1", detail: "auto" }] }],
      },
      "input[0].content[0]: input_image file_id is not supported; send the image as image_url (an https URL or a data URL).",
      "input[0].content[0]",
    ],
    [
      "file by id",
      { model, input: [{ role: "user", content: [{ type: "input_file", file_id: "file_2" }] }] },
      "input[0].content[0]: input_file needs file_data (file_id and file_url cannot be resolved for this upstream).",
      "input[0].content[0]",
    ],
    [
      "item reference",
      { model, input: [{ type: "item_reference", id: "msg_1" }] },
      "input[0]: item_reference cannot be resolved (llmux keeps no items); send the items themselves.",
      "input[0]",
    ],
    [
      "unknown item",
      { model, input: [{ type: "telepathy" }] },
      'input[0]: unknown input item type "telepathy".',
      "input[0]",
    ],
    [
      "call without call_id",
      { model, input: [{ type: "function_call", name: "shell", arguments: "{}" }] },
      "input[0].call_id is required.",
      "input[0].call_id",
    ],
    [
      "bad role",
      { model, input: [{ type: "message", role: "tool", content: "x" }] },
      "input[0].role must be user, assistant, system or developer.",
      "input[0].role",
    ],
    [
      "choice of a built-in tool",
      { model, input: "x", tools: [shellTool], tool_choice: { type: "web_search_preview" } },
      'tool_choice type "web_search_preview" names a built-in tool this upstream cannot run.',
      "tool_choice.type",
    ],
    [
      "choice of an unknown function",
      { model, input: "x", tools: [shellTool], tool_choice: { type: "function", name: "rm" } },
      'tool_choice.name "rm" is not one of the request\'s tools.',
      "tool_choice.name",
    ],
    [
      "bad text.format",
      { model, input: "x", text: { format: { type: "grammar" } } },
      "text.format must be text, json_object or json_schema (with a schema).",
      "text.format",
    ],
    [
      "max_output_tokens 0",
      { model, input: "x", max_output_tokens: 0 },
      "max_output_tokens must be a positive integer.",
      "max_output_tokens",
    ],
    [
      "temperature a string",
      { model, input: "x", temperature: "1" },
      "temperature must be a number, not string.",
      "temperature",
    ],
    [
      "background",
      { model, input: "x", background: true },
      "background: background responses are not supported.",
      "background",
    ],
    [
      "conversation",
      { model, input: "x", conversation: "conv_1" },
      "conversation: conversation objects are not supported; send the input items (or previous_response_id).",
      "conversation",
    ],
  ])("%s → InvalidRequestError", (_name, body, message, param) => {
    expect(rejection(body)).toEqual({ message, param });
  });
});
