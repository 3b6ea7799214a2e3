/** Reads what the simulator needs from a Gemini generateContent request body. */
import { estimatePromptTokens, lastUserText, type ChatRequest, type InvalidRequest } from "./chat-request.js";
import { prefillOf } from "./prefill.js";

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A Content `{role, parts}` as a chat-like message `{role, content: parts}` (no role means `user`). */
function asMessage(content: unknown): unknown {
  if (!isObject(content)) return content;
  const role = typeof content["role"] === "string" ? content["role"] : "user";
  return { role, content: content["parts"] };
}

/**
 * Validates and reads a `GenerateContentRequest` (already parsed JSON) for `model`: `contents` must be a
 * non-empty array and `generationConfig.maxOutputTokens`, when given, a positive integer (messages as
 * Google's `* GenerateContentRequest.…`). Prompt tokens are estimated over `systemInstruction` and the
 * text parts of `contents` like chat requests. `responseMimeType: "application/json"` asks for JSON
 * (filled from `responseJsonSchema`, else `responseSchema`).
 */
export function readGenerateRequest(
  body: unknown,
  model: string,
  stream: boolean,
): ChatRequest | InvalidRequest {
  if (!isObject(body)) {
    return { message: "Invalid JSON payload received. Root element must be a message.", param: null };
  }
  const contents = body["contents"];
  if (!Array.isArray(contents) || contents.length === 0) {
    return { message: "* GenerateContentRequest.contents: contents is not specified\n", param: "contents" };
  }
  const config = isObject(body["generationConfig"]) ? body["generationConfig"] : {};
  const maxTokens = config["maxOutputTokens"];
  if (maxTokens !== undefined && !(Number.isInteger(maxTokens) && Number(maxTokens) >= 1)) {
    return {
      message:
        "* GenerateContentRequest.generation_config.max_output_tokens: max_output_tokens must be positive.\n",
      param: "generationConfig.maxOutputTokens",
    };
  }
  const messages = contents.map(asMessage);
  const system = body["systemInstruction"];
  const prompt = isObject(system) ? [{ role: "system", content: system["parts"] }, ...messages] : messages;
  return {
    model,
    stream,
    includeUsage: true,
    promptTokens: estimatePromptTokens(prompt),
    maxTokens: typeof maxTokens === "number" ? maxTokens : undefined,
    tool: chooseFunction(body, messages),
    json:
      config["responseMimeType"] === "application/json"
        ? { schema: config["responseJsonSchema"] ?? config["responseSchema"] }
        : undefined,
    prefill: prefillOf(messages),
  };
}

/**
 * The function to call: the first of `tools[].functionDeclarations` (restricted to
 * `allowedFunctionNames` when given) when `toolConfig.functionCallingConfig.mode` is `ANY` or the last
 * user content contains "call a tool"; never with mode `NONE`. Its parameters are `parametersJsonSchema`,
 * else `parameters`.
 */
function chooseFunction(body: Json, messages: readonly unknown[]): ChatRequest["tool"] {
  const tools = body["tools"];
  if (!Array.isArray(tools)) return undefined;
  const declarations = tools
    .flatMap((tool) =>
      isObject(tool) && Array.isArray(tool["functionDeclarations"]) ? tool["functionDeclarations"] : [],
    )
    .filter((fn): fn is Json => isObject(fn) && typeof fn["name"] === "string");
  const toolConfig = isObject(body["toolConfig"]) ? body["toolConfig"] : {};
  const calling = isObject(toolConfig["functionCallingConfig"]) ? toolConfig["functionCallingConfig"] : {};
  const mode = typeof calling["mode"] === "string" ? calling["mode"].toUpperCase() : "AUTO";
  if (mode === "NONE") return undefined;
  const allowed = Array.isArray(calling["allowedFunctionNames"])
    ? calling["allowedFunctionNames"].filter((name): name is string => typeof name === "string")
    : [];
  const candidates =
    allowed.length > 0 ? declarations.filter((fn) => allowed.includes(String(fn["name"]))) : declarations;
  const first = candidates[0];
  if (first === undefined) return undefined;
  if (mode !== "ANY" && !lastUserText(messages).toLowerCase().includes("call a tool")) return undefined;
  return { name: String(first["name"]), parameters: first["parametersJsonSchema"] ?? first["parameters"] };
}
