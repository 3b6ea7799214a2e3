import { InvalidRequestError } from "../../errors/index.js";
import type { ChatRequest } from "../../types/index.js";
import { isRecord } from "../../util/index.js";

/** The `tools` and `toolConfig` fields of a Gemini request (each absent when there is nothing to say). */
export interface GeminiToolFields {
  tools?: Array<{ functionDeclarations: Array<Record<string, unknown>> }>;
  toolConfig?: { functionCallingConfig: { mode: string; allowedFunctionNames?: string[] } };
}

function declaration(tool: unknown, where: string): Record<string, unknown> {
  const fn = isRecord(tool) ? tool["function"] : undefined;
  if (!isRecord(tool) || tool["type"] !== "function" || !isRecord(fn) || typeof fn["name"] !== "string") {
    throw new InvalidRequestError(`${where}: Gemini supports only function tools with a name.`, {
      param: where,
    });
  }
  const result: Record<string, unknown> = { name: fn["name"] };
  if (typeof fn["description"] === "string") result["description"] = fn["description"];
  if (isRecord(fn["parameters"])) result["parametersJsonSchema"] = fn["parameters"];
  return result;
}

/** Function names listed by an `allowed_tools` choice. */
function allowedNames(tools: unknown): string[] {
  if (!Array.isArray(tools)) return [];
  return tools.flatMap((tool) => {
    const fn = isRecord(tool) ? tool["function"] : undefined;
    return isRecord(fn) && typeof fn["name"] === "string" ? [fn["name"]] : [];
  });
}

type CallingConfig = NonNullable<GeminiToolFields["toolConfig"]>["functionCallingConfig"];

/** A calling config, and for `allowed_tools` in auto mode the names the declarations are narrowed to. */
interface ToolChoice {
  config: CallingConfig | null;
  onlyNames: ReadonlySet<string> | null;
}

/**
 * `tool_choice` → `functionCallingConfig`: `auto` → AUTO, `required` → ANY, `none` → NONE,
 * `{type:"function", function:{name}}` → ANY + `allowedFunctionNames:[name]`,
 * `{type:"allowed_tools", allowed_tools:{mode, tools}}` → ANY + names for `required`; for `auto`,
 * Gemini allows names only with ANY, so AUTO and the declarations are narrowed to the names instead.
 */
function toolChoice(choice: unknown): ToolChoice {
  const plain = (config: CallingConfig | null): ToolChoice => ({ config, onlyNames: null });
  if (choice === undefined || choice === null) return plain(null);
  if (choice === "auto") return plain({ mode: "AUTO" });
  if (choice === "required") return plain({ mode: "ANY" });
  if (choice === "none") return plain({ mode: "NONE" });
  const fn = isRecord(choice) ? choice["function"] : undefined;
  if (isRecord(choice) && choice["type"] === "function" && isRecord(fn) && typeof fn["name"] === "string") {
    return plain({ mode: "ANY", allowedFunctionNames: [fn["name"]] });
  }
  const allowed = isRecord(choice) ? choice["allowed_tools"] : undefined;
  if (isRecord(choice) && choice["type"] === "allowed_tools" && isRecord(allowed)) {
    const names = allowedNames(allowed["tools"]);
    if (allowed["mode"] === "required") return plain({ mode: "ANY", allowedFunctionNames: names });
    return { config: { mode: "AUTO" }, onlyNames: new Set(names) };
  }
  throw new InvalidRequestError("tool_choice is not supported by Gemini in this form.", {
    param: "tool_choice",
  });
}

/**
 * OpenAI `tools` / `tool_choice` → Gemini `tools: [{functionDeclarations: [{name, description,
 * parametersJsonSchema}]}]` (plain JSON Schema, so `additionalProperties`, `$ref` etc. need no
 * rewriting; `description` / `parametersJsonSchema` are omitted when the tool has none; `strict` is
 * dropped) and `toolConfig.functionCallingConfig`. Non-function tools are refused. Without tools,
 * `tool_choice` is dropped (there is nothing to configure).
 */
export function toGeminiTools(request: ChatRequest): GeminiToolFields {
  const tools = request["tools"];
  if (tools !== undefined && tools !== null && !Array.isArray(tools)) {
    throw new InvalidRequestError("tools must be an array.", { param: "tools" });
  }
  const declarations = (tools ?? []).map((tool, index) => declaration(tool, `tools[${index}]`));
  if (declarations.length === 0) return {};
  const { config, onlyNames } = toolChoice(request["tool_choice"]);
  const functionDeclarations =
    onlyNames === null ? declarations : declarations.filter((d) => onlyNames.has(String(d["name"])));
  const fields: GeminiToolFields = { tools: [{ functionDeclarations }] };
  if (config !== null) fields.toolConfig = { functionCallingConfig: config };
  return fields;
}
