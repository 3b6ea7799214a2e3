import { InvalidRequestError } from "../../errors/index.js";
import { isRecord } from "../../util/index.js";
import { field, type JsonObject } from "./fields.js";

/** The system instruction that stands in for `response_format: {type: "json_object"}`. */
export const jsonObjectInstruction = "Respond with a single JSON object and nothing else.";

/** What a `response_format` becomes: Anthropic's `output_config`, or a system instruction. */
export interface AnthropicResponseFormat {
  outputConfig?: JsonObject;
  instruction?: string;
}

/**
 * OpenAI `response_format` → Anthropic:
 * - `json_schema` → `output_config: {format: {type: "json_schema", schema}}` (structured outputs;
 *   `name`, `description` and `strict` have no counterpart and are dropped);
 * - `json_object` (and a `json_schema` without a schema) → a system instruction
 *   ({@link jsonObjectInstruction}) appended after the caller's system prompt: Anthropic has no
 *   JSON mode, and forcing a single tool would change the answer's shape to a tool call;
 * - `text` or none → nothing. Other types are rejected.
 */
export function toAnthropicResponseFormat(format: unknown): AnthropicResponseFormat {
  if (format === undefined || format === null) return {};
  const type = field(format, "type");
  if (type === "text") return {};
  if (type === "json_object") return { instruction: jsonObjectInstruction };
  if (type === "json_schema") {
    const schema = field(field(format, "json_schema"), "schema");
    if (!isRecord(schema)) return { instruction: jsonObjectInstruction };
    return { outputConfig: { format: { type: "json_schema", schema } } };
  }
  throw new InvalidRequestError(
    `response_format type ${JSON.stringify(type)} is not supported by Anthropic.`,
    {
      param: "response_format",
    },
  );
}
