import { InvalidRequestError } from "../../../errors/index.js";
import { isRecord } from "../../../util/index.js";
import { describe, requireRecord, stringField, type JsonObject } from "./read.js";

/** Chat `tools` / `tool_choice` / `parallel_tool_calls`, and what the response mappers need to know. */
export interface ResponsesTools {
  tools?: JsonObject[];
  tool_choice?: string | JsonObject;
  parallel_tool_calls?: boolean;
  /** Names of custom (freeform) tools, sent as function tools with one string parameter `input`. */
  customTools: string[];
  /** Tools a chat upstream cannot express: `type` (and `:name` or `:server_label` when present). */
  droppedTools: string[];
}

/** The description of a custom tool's `input` parameter: the raw text, and the grammar it follows. */
export function customInputDescription(format: unknown): string {
  const base = "The raw input of the tool, as plain text (it is passed to the tool verbatim).";
  if (!isRecord(format) || format["type"] !== "grammar") return base;
  const syntax = stringField(format, "syntax") ?? "grammar";
  const definition = stringField(format, "definition") ?? "";
  return `${base} It must match this ${syntax} grammar:\n${definition}`;
}

function functionTool(tool: JsonObject, param: string): JsonObject {
  const name = stringField(tool, "name");
  if (name === null || name === "") throw new InvalidRequestError(`${param}.name is required.`, { param });
  const fn: JsonObject = { name };
  const description = stringField(tool, "description");
  if (description !== null && description !== "") fn["description"] = description;
  const parameters = tool["parameters"];
  if (isRecord(parameters)) fn["parameters"] = parameters;
  if (tool["strict"] === true) fn["strict"] = true;
  return { type: "function", function: fn };
}

function customTool(tool: JsonObject, param: string): JsonObject {
  const name = stringField(tool, "name");
  if (name === null || name === "") throw new InvalidRequestError(`${param}.name is required.`, { param });
  const fn: JsonObject = { name };
  const description = stringField(tool, "description");
  if (description !== null && description !== "") fn["description"] = description;
  fn["parameters"] = {
    type: "object",
    properties: { input: { type: "string", description: customInputDescription(tool["format"]) } },
    required: ["input"],
    additionalProperties: false,
  };
  return { type: "function", function: fn };
}

function droppedName(tool: JsonObject): string {
  const type = String(tool["type"]);
  const name = stringField(tool, "name") ?? stringField(tool, "server_label");
  return name === null ? type : `${type}:${name}`;
}

function chatChoice(choice: unknown, names: ReadonlySet<string>): string | JsonObject {
  if (choice === "auto" || choice === "none" || choice === "required") return choice;
  const record = requireRecord(choice, "tool_choice");
  const type = record["type"];
  if (type === "function" || type === "custom") {
    const name = stringField(record, "name");
    if (name === null || !names.has(name)) {
      throw new InvalidRequestError(
        `tool_choice.name ${JSON.stringify(name)} is not one of the request's tools.`,
        {
          param: "tool_choice.name",
        },
      );
    }
    return { type: "function", function: { name } };
  }
  if (type === "allowed_tools") return record["mode"] === "required" ? "required" : "auto";
  throw new InvalidRequestError(
    `tool_choice type ${JSON.stringify(type)} names a built-in tool this upstream cannot run.`,
    { param: "tool_choice.type" },
  );
}

/**
 * Responses `tools` / `tool_choice` / `parallel_tool_calls` → chat:
 * - function tools (flat `{type: "function", name, description, parameters, strict}`) → chat's
 *   nested form (`strict` only when true);
 * - custom tools (`{type: "custom", name, description, format}`, Codex's `apply_patch`) → a
 *   function tool with one required string parameter `input` whose description carries the grammar;
 *   their names are returned so the answer maps back to `custom_tool_call` items;
 * - every other type (`web_search`, `file_search`, `computer_use_preview`, `code_interpreter`,
 *   `image_generation`, `local_shell`, `shell`, `apply_patch`, `mcp`, `namespace`, …) is dropped and
 *   listed in `droppedTools`;
 * - `tool_choice`: `auto` / `none` / `required` as they are, `{type: "function" | "custom", name}`
 *   → `{type: "function", function: {name}}`, `allowed_tools` → its mode; a built-in tool's choice
 *   is refused. Without tools left, neither `tool_choice` nor `parallel_tool_calls` is sent.
 */
export function toChatTools(tools: unknown, choice: unknown, parallel: unknown): ResponsesTools {
  if (tools !== undefined && tools !== null && !Array.isArray(tools)) {
    throw new InvalidRequestError(`tools must be an array, not ${describe(tools)}.`, { param: "tools" });
  }
  const result: ResponsesTools = { customTools: [], droppedTools: [] };
  const mapped: JsonObject[] = [];
  (tools ?? []).forEach((item: unknown, index) => {
    const param = `tools[${index}]`;
    const tool = requireRecord(item, param);
    if (tool["type"] === "function") mapped.push(functionTool(tool, param));
    else if (tool["type"] === "custom") {
      mapped.push(customTool(tool, param));
      result.customTools.push(String(tool["name"]));
    } else result.droppedTools.push(droppedName(tool));
  });
  if (mapped.length === 0) return result;
  result.tools = mapped;
  if (choice !== undefined && choice !== null) {
    const names = new Set(mapped.map((tool) => String((tool["function"] as JsonObject)["name"])));
    result.tool_choice = chatChoice(choice, names);
  }
  if (typeof parallel === "boolean") result.parallel_tool_calls = parallel;
  return result;
}
