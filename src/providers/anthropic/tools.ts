import { InvalidRequestError } from "../../errors/index.js";
import { isRecord } from "../../util/index.js";
import { field, stringField, type JsonObject } from "./fields.js";

/** Anthropic's `tools` and `tool_choice`, either absent. */
export interface AnthropicTools {
  tools?: JsonObject[];
  tool_choice?: JsonObject;
}

/** `parameters` → `input_schema`, which must be an object schema: none → `{type:"object", properties:{}}`. */
function inputSchema(parameters: unknown): JsonObject {
  if (!isRecord(parameters)) return { type: "object", properties: {} };
  return parameters["type"] === undefined ? { type: "object", ...parameters } : parameters;
}

function toolDefinition(tool: unknown, param: string): JsonObject {
  const fn = field(tool, "function");
  const name = stringField(fn, "name");
  if (field(tool, "type") !== "function" || name === null) {
    throw new InvalidRequestError(`${param}: only function tools with a name are supported by Anthropic.`, {
      param,
    });
  }
  const description = stringField(fn, "description");
  const definition: JsonObject = { name };
  if (description !== null && description !== "") definition["description"] = description;
  definition["input_schema"] = inputSchema(field(fn, "parameters"));
  return definition;
}

function toolChoice(choice: unknown): JsonObject | undefined {
  if (choice === undefined || choice === null) return undefined;
  if (choice === "auto") return { type: "auto" };
  if (choice === "required") return { type: "any" };
  if (choice === "none") return { type: "none" };
  const name = stringField(field(choice, "function"), "name");
  if (field(choice, "type") === "function" && name !== null) return { type: "tool", name };
  throw new InvalidRequestError(
    "tool_choice must be 'auto', 'required', 'none' or {type: 'function', function: {name}} for Anthropic.",
    { param: "tool_choice" },
  );
}

/**
 * OpenAI `tools` / `tool_choice` / `parallel_tool_calls` → Anthropic `tools` / `tool_choice`:
 * - each `{type:"function", function:{name, description, parameters}}` → `{name, description,
 *   input_schema}` (`strict` is dropped: older models reject it; a schema without `type` gets
 *   `type: "object"`); other tool types are rejected;
 * - `"auto"` / `"required"` / `"none"` / `{function:{name}}` → `{type:"auto"}` / `{type:"any"}` /
 *   `{type:"none"}` / `{type:"tool", name}`; `allowed_tools` and custom choices are rejected;
 * - `parallel_tool_calls: false` → `disable_parallel_tool_use: true` on the choice (an `auto` choice
 *   when none was given; never on `none`, which has no such field).
 * Without tools nothing is sent, not even `tool_choice` (Anthropic rejects a choice without tools).
 */
export function toAnthropicTools(
  tools: unknown,
  choice: unknown,
  parallelToolCalls: unknown,
): AnthropicTools {
  if (tools !== undefined && tools !== null && !Array.isArray(tools)) {
    throw new InvalidRequestError("tools must be an array.", { param: "tools" });
  }
  const definitions = (tools ?? []).map((tool: unknown, index) => toolDefinition(tool, `tools[${index}]`));
  const mapped = toolChoice(choice);
  if (definitions.length === 0) return {};
  let toolChoiceValue = mapped;
  if (parallelToolCalls === false && mapped?.["type"] !== "none") {
    toolChoiceValue = { ...(mapped ?? { type: "auto" }), disable_parallel_tool_use: true };
  }
  return toolChoiceValue === undefined
    ? { tools: definitions }
    : { tools: definitions, tool_choice: toolChoiceValue };
}
