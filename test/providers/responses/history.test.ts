import { describe, expect, it } from "vitest";
import {
  dropUnreplayableReasoning,
  fromResponsesRequest,
  responsesHistory,
  toResponsesResponse,
} from "../../../src/providers/openai/index.js";
import { toolCompletion } from "../../helpers/chat-fixtures.js";
import { validateInputItem } from "../../helpers/responses-spec.js";

describe("responsesHistory and previous_response_id", () => {
  it("keeps history + input + output, and the next request maps it back into the conversation", () => {
    const first = { model: "gpt-5", instructions: "Be brief.", input: "Run the tests" };
    const response = toResponsesResponse(toolCompletion, {
      body: first,
      responseId: "resp_h1",
      createdAt: 1,
      customTools: [],
    });
    const history = responsesHistory([], first, response);
    expect(history).toEqual([
      { type: "message", role: "user", content: "Run the tests" },
      ...(response["output"] as unknown[]),
    ]);
    for (const item of history) validateInputItem(item as Record<string, unknown>);
    const second = {
      model: "gpt-5",
      previous_response_id: "resp_h1",
      input: [
        { type: "function_call_output", call_id: "call_A1bsT9wQe", output: "PASS" },
        { type: "function_call_output", call_id: "call_B2ctU0xRf", output: "{}" },
      ],
    };
    const mapped = fromResponsesRequest(second, { history });
    expect(mapped.previousResponseId).toBe("resp_h1");
    expect(mapped.request.messages).toEqual([
      { role: "user", content: "Run the tests" },
      {
        role: "assistant",
        content: "Running the tests and reading the manifest.",
        tool_calls: [
          {
            id: "call_A1bsT9wQe",
            type: "function",
            function: { name: "Bash", arguments: '{"command":"npm test","description":"Run the tests"}' },
          },
          {
            id: "call_B2ctU0xRf",
            type: "function",
            function: { name: "Read", arguments: '{"file_path":"/repo/package.json"}' },
          },
        ],
      },
      { role: "tool", tool_call_id: "call_A1bsT9wQe", content: "PASS" },
      { role: "tool", tool_call_id: "call_B2ctU0xRf", content: "{}" },
    ]);
    expect(responsesHistory(history, second, { output: [] })).toHaveLength(history.length + 2);
  });
});

describe("dropUnreplayableReasoning", () => {
  const ours = {
    type: "reasoning",
    id: "rs_x_0",
    summary: [],
    content: [{ type: "reasoning_text", text: "hm" }],
  };
  const encrypted = { type: "reasoning", id: "rs_1", summary: [], encrypted_content: "gAAAAB" };
  const storedOnly = { type: "reasoning", id: "rs_2", summary: [{ type: "summary_text", text: "s" }] };
  const user = { type: "message", role: "user", content: "hi" };

  it("keeps the body when every reasoning item can be resolved", () => {
    const body = { model: "gpt-5", input: [user, encrypted, storedOnly] };
    expect(dropUnreplayableReasoning(body)).toBe(body);
  });

  it("drops llmux-made reasoning, and with store: false every reasoning item without encrypted_content", () => {
    expect(dropUnreplayableReasoning({ model: "gpt-5", input: [user, ours, storedOnly] })).toEqual({
      model: "gpt-5",
      input: [user, storedOnly],
    });
    expect(
      dropUnreplayableReasoning({ model: "gpt-5", store: false, input: [user, storedOnly, encrypted] }),
    ).toEqual({
      model: "gpt-5",
      store: false,
      input: [user, encrypted],
    });
  });
});
