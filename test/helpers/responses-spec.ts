/**
 * Validation of OpenAI Responses payloads against the OpenAI spec, on top of validateOpenAI.
 *
 * Requests: the spec's `InputItem` is a `oneOf` whose branches overlap once its `discriminator`
 * is ignored (a `{type: "message", role: "user"}` item is both an EasyInputMessage and an
 * InputMessage), so each input item is checked against the schema its `type` names instead, and
 * the rest of the body against CreateResponse. Assistant history items are what clients replay
 * from earlier outputs: Codex sends `output_text` parts without `annotations`/`logprobs` and
 * messages without `id`/`status`, which the API accepts though OutputMessage marks them required;
 * those keys are filled in before the check.
 */
import { validateOpenAI } from "./openai-spec.js";

type Json = Record<string, unknown>;

const schemaOfItem: Readonly<Record<string, string>> = {
  message: "EasyInputMessage",
  function_call: "FunctionToolCall",
  function_call_output: "FunctionCallOutputItemParam",
  custom_tool_call: "CustomToolCall",
  custom_tool_call_output: "CustomToolCallOutput",
  reasoning: "ReasoningItem",
  item_reference: "ItemReferenceParam",
};

function assistantMessage(item: Json): Json {
  const content = Array.isArray(item["content"]) ? (item["content"] as Json[]) : [];
  return {
    id: "msg_history",
    status: "completed",
    ...item,
    content: content.map((part) =>
      part["type"] === "output_text" ? { annotations: [], logprobs: [], ...part } : part,
    ),
  };
}

/** Throws unless `item` matches the spec schema of its type (see the file comment). */
export function validateInputItem(item: Json): void {
  const type = String(item["type"] ?? "message");
  if (type === "message" && item["role"] === "assistant" && Array.isArray(item["content"])) {
    validateOpenAI("OutputMessage", assistantMessage(item));
    return;
  }
  const schema = schemaOfItem[type];
  if (schema === undefined) throw new Error(`No spec schema chosen for input items of type ${type}.`);
  validateOpenAI(schema, item);
}

/** Throws unless `body` is a valid Responses request (CreateResponse, input items one by one). */
export function validateResponsesRequest(body: Json): void {
  const input = body["input"];
  validateOpenAI("CreateResponse", { ...body, input: typeof input === "string" ? input : [] });
  if (Array.isArray(input)) for (const item of input as Json[]) validateInputItem(item);
}
