import { InvalidRequestError } from "../../../errors/index.js";
import { isRecord } from "../../../util/index.js";
import { stringField, type JsonObject } from "../fields.js";
import { describe, requireRecord } from "./read.js";

/** OpenAI `tools`, `tool_choice` and `parallel_tool_calls`, each absent when not needed. */
export interface ChatTools {
  tools?: JsonObject[];
  tool_choice?: string | JsonObject;
  parallel_tool_calls?: false;
}

/** A client tool (no `type`, or `type: "custom"`); anything else is an Anthropic-defined or server tool. */
function isClientTool(tool: JsonObject): boolean {
  const type = tool["type"];
  return type === undefined || type === null || type === "custom";
}

/**
 * The tools of an Anthropic request that an OpenAI-compatible upstream cannot take, by `type`
 * (and `name`): server tools (`web_search_20250305`, `web_fetch_…`, `code_execution_…`) and
 * Anthropic-defined client tools without a schema (`bash_20250124`, `text_editor_…`,
 * `computer_…`, `memory_…`). {@link fromAnthropicRequest} drops them; the caller can log this list.
 */
export function droppedAnthropicTools(body: unknown): string[] {
  const tools = isRecord(body) ? body["tools"] : undefined;
  if (!Array.isArray(tools)) return [];
  return tools
    .filter((tool: unknown): tool is JsonObject => isRecord(tool) && !isClientTool(tool))
    .map((tool) => {
      const name = stringField(tool, "name");
      const type = String(tool["type"]);
      return name === null ? type : `${type}:${name}`;
    });
}

function functionTool(tool: JsonObject, param: string): JsonObject {
  const name = stringField(tool, "name");
  if (name === null || name === "") throw new InvalidRequestError(`${param}.name is required.`, { param });
  const schema = tool["input_schema"];
  if (!isRecord(schema)) {
    throw new InvalidRequestError(`${param}.input_schema must be an object.`, {
      param: `${param}.input_schema`,
    });
  }
  const description = stringField(tool, "description");
  const fn: JsonObject = { name };
  if (description !== null && description !== "") fn["description"] = description;
  fn["parameters"] = schema;
  return { type: "function", function: fn };
}

function chatChoice(choice: JsonObject, names: ReadonlySet<string>): string | JsonObject {
  switch (choice["type"]) {
    case "auto":
      return "auto";
    case "any":
      return "required";
    case "none":
      return "none";
    case "tool": {
      const name = stringField(choice, "name");
      if (name === null || !names.has(name)) {
        throw new InvalidRequestError(
          `tool_choice.name ${JSON.stringify(name)} is not one of the request's tools this upstream can call.`,
          { param: "tool_choice.name" },
        );
      }
      return { type: "function", function: { name } };
    }
    default:
      throw new InvalidRequestError(`tool_choice.type must be auto, any, tool or none.`, {
        param: "tool_choice.type",
      });
  }
}

/**
 * Anthropic `tools` / `tool_choice` → OpenAI:
 * - each client tool `{name, description?, input_schema}` → `{type: "function", function: {name,
 *   description, parameters: input_schema}}` (`cache_control`, `strict` and other Anthropic-only
 *   keys dropped); server and Anthropic-defined tools are dropped (see {@link droppedAnthropicTools});
 * - `auto` / `any` / `none` / `{type: "tool", name}` → `"auto"` / `"required"` / `"none"` /
 *   `{type: "function", function: {name}}` (a name that is not a mapped tool is refused);
 * - `disable_parallel_tool_use: true` → `parallel_tool_calls: false` (not with `none`).
 * When no tool is left, neither `tool_choice` nor `parallel_tool_calls` is sent (OpenAI refuses them
 * without tools).
 */
export function toChatTools(tools: unknown, choice: unknown): ChatTools {
  if (tools !== undefined && tools !== null && !Array.isArray(tools)) {
    throw new InvalidRequestError(`tools must be an array, not ${describe(tools)}.`, { param: "tools" });
  }
  const mapped: JsonObject[] = [];
  (tools ?? []).forEach((item: unknown, index) => {
    const tool = requireRecord(item, `tools[${index}]`);
    if (isClientTool(tool)) mapped.push(functionTool(tool, `tools[${index}]`));
  });
  if (choice !== undefined && choice !== null) requireRecord(choice, "tool_choice");
  if (mapped.length === 0) return {};
  const result: ChatTools = { tools: mapped };
  if (isRecord(choice)) {
    const names = new Set(mapped.map((tool) => String((tool["function"] as JsonObject)["name"])));
    result.tool_choice = chatChoice(choice, names);
    if (choice["disable_parallel_tool_use"] === true && choice["type"] !== "none") {
      result.parallel_tool_calls = false;
    }
  }
  return result;
}
