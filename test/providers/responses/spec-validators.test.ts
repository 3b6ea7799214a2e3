import { describe, expect, it } from "vitest";
import { validateOpenAI } from "../../helpers/openai-spec.js";
import { validateInputItem, validateResponsesRequest } from "../../helpers/responses-spec.js";

/** The tests lean on these validators: make sure they reject what they should. */
describe("Responses validators bite", () => {
  it("rejects stream events with a missing or wrong field", () => {
    const delta = {
      type: "response.output_text.delta",
      sequence_number: 4,
      item_id: "m",
      output_index: 0,
      content_index: 0,
      delta: "x",
      logprobs: [],
    };
    expect(() => validateOpenAI("ResponseStreamEvent", delta)).not.toThrow();
    const { sequence_number: _dropped, ...unnumbered } = delta;
    expect(() => validateOpenAI("ResponseStreamEvent", unnumbered)).toThrow();
    expect(() =>
      validateOpenAI("ResponseStreamEvent", { ...delta, type: "response.output_text.deltas" }),
    ).toThrow();
    const done = {
      type: "response.custom_tool_call_input.done",
      sequence_number: 1,
      item_id: "c",
      output_index: 0,
    };
    expect(() => validateOpenAI("ResponseStreamEvent", done)).toThrow();
  });

  it("rejects a response missing an echoed field and bad input items", () => {
    expect(() =>
      validateOpenAI("Response", { id: "resp_1", object: "response", created_at: 1, output: [] }),
    ).toThrow();
    expect(() => validateInputItem({ type: "function_call", name: "shell", arguments: "{}" })).toThrow();
    expect(() =>
      validateResponsesRequest({
        model: "m",
        input: [{ type: "custom_tool_call", call_id: "c", name: "x" }],
      }),
    ).toThrow();
  });
});
