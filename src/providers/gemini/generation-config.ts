import { InvalidRequestError } from "../../errors/index.js";
import type { ChatRequest } from "../../types/index.js";
import { isRecord } from "../../util/index.js";

/** Gemini accepts at most this many `stopSequences`. */
export const maxStopSequences = 5;

function numberField(request: ChatRequest, key: string): number | null {
  const value = request[key];
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}

function stopSequences(stop: unknown): string[] | null {
  if (stop === undefined || stop === null) return null;
  const list = typeof stop === "string" ? [stop] : stop;
  if (!Array.isArray(list) || !list.every((item): item is string => typeof item === "string")) {
    throw new InvalidRequestError("stop must be a string or an array of strings.", { param: "stop" });
  }
  if (list.length > maxStopSequences) {
    throw new InvalidRequestError(
      `Gemini accepts at most ${maxStopSequences} stop sequences; ${list.length} were given.`,
      { param: "stop" },
    );
  }
  return list.length === 0 ? null : list;
}

/** `response_format` → `responseMimeType` (+ `responseJsonSchema`). */
function responseFormat(format: unknown, config: Record<string, unknown>): void {
  if (format === undefined || format === null) return;
  const type = isRecord(format) ? format["type"] : undefined;
  if (type === "text") return;
  if (type === "json_object") {
    config["responseMimeType"] = "application/json";
    return;
  }
  if (type === "json_schema" && isRecord(format)) {
    config["responseMimeType"] = "application/json";
    const spec = format["json_schema"];
    if (isRecord(spec) && isRecord(spec["schema"])) config["responseJsonSchema"] = spec["schema"];
    return;
  }
  throw new InvalidRequestError("response_format type is not supported by Gemini.", {
    param: "response_format",
  });
}

/**
 * The sampling fields of an OpenAI request → Gemini `generationConfig` (null when empty):
 * `max_completion_tokens ?? max_tokens` → maxOutputTokens, temperature, `top_p` → topP,
 * `n` → candidateCount, `stop` → stopSequences (more than 5 → `InvalidRequestError`), seed,
 * presence/frequency penalties, `response_format` json_object → `responseMimeType:
 * "application/json"` and json_schema → the same + `responseJsonSchema` (the plain JSON Schema, not
 * the OpenAPI-subset `responseSchema`), `logprobs: true` → `responseLogprobs` (+ `logprobs` =
 * `top_logprobs`). Non-numeric and null values count as absent.
 */
export function toGenerationConfig(request: ChatRequest): Record<string, unknown> | null {
  const config: Record<string, unknown> = {};
  const maxTokens = numberField(request, "max_completion_tokens") ?? numberField(request, "max_tokens");
  if (maxTokens !== null) config["maxOutputTokens"] = maxTokens;
  const numbers: Array<[string, string]> = [
    ["temperature", "temperature"],
    ["top_p", "topP"],
    ["n", "candidateCount"],
  ];
  for (const [from, to] of numbers) {
    const value = numberField(request, from);
    if (value !== null) config[to] = value;
  }
  const stop = stopSequences(request["stop"]);
  if (stop !== null) config["stopSequences"] = stop;
  const more: Array<[string, string]> = [
    ["seed", "seed"],
    ["presence_penalty", "presencePenalty"],
    ["frequency_penalty", "frequencyPenalty"],
  ];
  for (const [from, to] of more) {
    const value = numberField(request, from);
    if (value !== null) config[to] = value;
  }
  responseFormat(request["response_format"], config);
  if (request["logprobs"] === true) {
    config["responseLogprobs"] = true;
    const top = numberField(request, "top_logprobs");
    if (top !== null) config["logprobs"] = top;
  }
  return Object.keys(config).length === 0 ? null : config;
}
