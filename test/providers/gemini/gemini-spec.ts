/**
 * Validates Gemini payloads against both Gemini specs in `test/specs/` (verbatim copies, see
 * `test/specs/SOURCES.md`) with Ajv2020:
 *
 * - `gemini-v1beta-openapi3_0.json`: Google's own OPENAPI3_0 discovery export (mid-2025, official).
 *   OpenAPI 3.0: its only `nullable` is a *property name* of `Schema`, not the keyword, so no
 *   rewrite is needed; boolean `nullable: true` nodes would be rewritten if a newer export had any.
 *   It is permissive (no `additionalProperties: false`), so it checks types, enums and formats
 *   (`byte` = base64 for `inlineData.data` and `thoughtSignature`, `int32`, `float`).
 * - `gemini-v1beta-native.openapi.json`: a community OpenAPI 3.1 built from the 2026 docs. Strict
 *   (`additionalProperties: false` everywhere), so it catches misspelt or unknown fields.
 *
 * Which spec vouches for which field of what `toGeminiRequest` sends: both define `contents`,
 * `systemInstruction`, `tools[].functionDeclarations[]` (`name`, `description`), `toolConfig`
 * (`functionCallingConfig.mode`: an enum in the official one) and `generationConfig` with
 * `maxOutputTokens`, `temperature`, `topP`, `candidateCount`, `stopSequences`, `seed`,
 * `presencePenalty`, `frequencyPenalty`, `responseMimeType`, `responseLogprobs`, `logprobs`; and
 * `Part.text` / `inlineData` / `functionCall{id,name,args}` / `functionResponse{id,name,response}` /
 * `thoughtSignature`. The newer `parametersJsonSchema` and `responseJsonSchema` are in both, but the
 * official export leaves them untyped (any JSON value): only the native spec checks they are objects.
 *
 * Two `required` entries of the official export are relaxed, and each is documented here:
 * - `GenerateContentRequest.model`: the proto field is bound from the URL path
 *   (`/v1beta/{model=models/*}:generateContent`); REST bodies (and `@google/genai`) never carry it;
 * - `FunctionDeclaration.description`: OpenAI tools may have none; the newer native spec marks only
 *   `name` as required, and `toGeminiRequest` omits `description` when the tool has none.
 *
 * Each spec is read once, lazily, on first use; nothing happens at import time.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import Ajv2020Module, { type ErrorObject, type ValidateFunction } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";

const Ajv2020 = Ajv2020Module.default;
const addFormats = addFormatsModule.default;
type Ajv = InstanceType<typeof Ajv2020>;
type Json = Record<string, unknown>;

/** The two Gemini specs. */
export type GeminiSpec = "official" | "native";

const specUrls: Record<GeminiSpec, URL> = {
  official: new URL("../../specs/gemini-v1beta-openapi3_0.json", import.meta.url),
  native: new URL("../../specs/gemini-v1beta-native.openapi.json", import.meta.url),
};

let ajvInstance: Ajv | undefined;
const compiled = new Map<string, ValidateFunction>();

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Rewrites the OpenAPI 3.0 keyword `nullable: true` (boolean only: `Schema.properties.nullable` is a
 * property definition and stays) into 2020-12: `type: t` → `type: [t, "null"]`, `null` joins an `enum`.
 */
function rewriteNullable(value: unknown): void {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const node = stack.pop();
    if (Array.isArray(node)) stack.push(...node);
    if (!isObject(node)) continue;
    if (typeof node["nullable"] === "boolean") {
      const nullable = node["nullable"];
      delete node["nullable"];
      const type = node["type"];
      if (nullable && typeof type === "string") node["type"] = [type, "null"];
      const choices = node["enum"];
      if (nullable && Array.isArray(choices)) node["enum"] = [...choices, null];
    }
    stack.push(...Object.values(node));
  }
}

function removeRequired(schemas: Json, schemaName: string, field: string): void {
  const schema = schemas[schemaName];
  if (!isObject(schema) || !Array.isArray(schema["required"])) {
    throw new Error(`The official Gemini spec no longer has ${schemaName}.required; revisit gemini-spec.ts.`);
  }
  schema["required"] = schema["required"].filter((name) => name !== field);
}

function loadComponents(spec: GeminiSpec): Json {
  const path = fileURLToPath(specUrls[spec]);
  const document: unknown = JSON.parse(readFileSync(path, "utf8"));
  if (
    !isObject(document) ||
    !isObject(document["components"]) ||
    !isObject(document["components"]["schemas"])
  ) {
    throw new Error(`${path} has no components.schemas; is it the Gemini spec?`);
  }
  const components = document["components"];
  if (spec === "official") {
    rewriteNullable(components);
    const schemas = components["schemas"] as Json;
    removeRequired(schemas, "GenerateContentRequest", "model");
    removeRequired(schemas, "FunctionDeclaration", "description");
  }
  return components;
}

function loadAjv(): Ajv {
  if (ajvInstance !== undefined) return ajvInstance;
  const ajv = new Ajv2020({ strict: false, allErrors: true, logger: false, validateSchema: false });
  addFormats(ajv);
  for (const spec of ["official", "native"] as const) {
    ajv.addSchema({ $id: `gemini-${spec}`, components: loadComponents(spec) });
  }
  ajvInstance = ajv;
  return ajv;
}

function validatorFor(spec: GeminiSpec, schemaName: string): ValidateFunction {
  const key = `${spec}:${schemaName}`;
  const known = compiled.get(key);
  if (known !== undefined) return known;
  const validate = loadAjv().getSchema(`gemini-${spec}#/components/schemas/${schemaName}`);
  if (validate === undefined) throw new Error(`The ${spec} Gemini spec has no schema named ${schemaName}.`);
  compiled.set(key, validate);
  return validate;
}

function describeError(error: ErrorObject): string {
  const where = error.instancePath === "" ? "(root)" : error.instancePath;
  return `  ${where} ${error.message ?? error.keyword} ${JSON.stringify(error.params)}`;
}

/** Throws when `value` does not match `components.schemas[schemaName]` of one Gemini spec, listing every error. */
export function validateGemini(spec: GeminiSpec, schemaName: string, value: unknown): void {
  const validate = validatorFor(spec, schemaName);
  if (validate(value)) return;
  const errors = (validate.errors ?? []).map(describeError).join("\n");
  const text = JSON.stringify(value) ?? String(value);
  throw new Error(
    `Value does not match the ${spec} Gemini spec schema ${schemaName}:\n${errors}\nvalue: ${text.slice(0, 600)}`,
  );
}

/** Validates an outgoing request body against `GenerateContentRequest` of both specs. */
export function validateGeminiRequest(body: unknown): void {
  validateGemini("official", "GenerateContentRequest", body);
  validateGemini("native", "GenerateContentRequest", body);
}

/** Validates a (fixture) response against `GenerateContentResponse` of both specs. */
export function validateGeminiResponse(body: unknown): void {
  validateGemini("official", "GenerateContentResponse", body);
  validateGemini("native", "GenerateContentResponse", body);
}
