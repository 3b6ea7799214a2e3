import { InvalidRequestError } from "../../../errors/index.js";
import { isRecord } from "../../../util/index.js";
import { stringField, type JsonObject } from "./read.js";

/**
 * Responses `text.format` → chat `response_format`: `{type: "json_schema", name, schema, strict,
 * description}` → `{type: "json_schema", json_schema: {name, schema, strict, description}}`,
 * `json_object` → `{type: "json_object"}`, `text` or none → `null` (nothing to send). Other types
 * are refused. `text.verbosity` has no chat counterpart most vendors take: dropped.
 */
export function toResponseFormat(text: unknown): JsonObject | null {
  if (text === undefined || text === null) return null;
  if (!isRecord(text)) throw new InvalidRequestError("text must be an object.", { param: "text" });
  const format = text["format"];
  if (format === undefined || format === null) return null;
  const type = isRecord(format) ? format["type"] : undefined;
  if (type === "text") return null;
  if (type === "json_object") return { type: "json_object" };
  if (type === "json_schema" && isRecord(format) && isRecord(format["schema"])) {
    const schema: JsonObject = { name: stringField(format, "name") ?? "output", schema: format["schema"] };
    const description = stringField(format, "description");
    if (description !== null) schema["description"] = description;
    if (typeof format["strict"] === "boolean") schema["strict"] = format["strict"];
    return { type: "json_schema", json_schema: schema };
  }
  throw new InvalidRequestError("text.format must be text, json_object or json_schema (with a schema).", {
    param: "text.format",
  });
}
