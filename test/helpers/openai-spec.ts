/**
 * Validates values against the official OpenAI OpenAPI spec (`test/specs/openai-openapi.yaml`,
 * OpenAPI 3.1 with leftover 3.0 `nullable`) with Ajv2020, as described in wire.md §8.
 *
 * The spec is read, rewritten and registered once per process, on the first call; each schema is
 * compiled once, on its first use. Nothing happens at import time.
 */
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import Ajv2020Module, { type ErrorObject, type ValidateFunction } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";
import { parse } from "yaml";

const Ajv2020 = Ajv2020Module.default;
const addFormats = addFormatsModule.default;
type Ajv = InstanceType<typeof Ajv2020>;

/** Where the spec lives: `test/specs/openai-openapi.yaml`, a verbatim copy (see `test/specs/SOURCES.md`). */
export const OPENAI_SPEC_URL = new URL("../specs/openai-openapi.yaml", import.meta.url);

const SPEC_ID = "openai";

/** Keywords that only describe a schema; they stay on the outer node when a nullable node is wrapped. */
const ANNOTATIONS = new Set([
  "description",
  "title",
  "default",
  "example",
  "examples",
  "deprecated",
  "readOnly",
  "writeOnly",
  "$comment",
]);
const COMPOSITIONS = ["$ref", "allOf", "oneOf", "anyOf", "not"];

let ajvInstance: Ajv | undefined;
const compiled = new Map<string, ValidateFunction>();

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Rewrites one OpenAPI-3.0 `nullable: true` node into JSON Schema 2020-12, in place:
 * - a node with `$ref`/`allOf`/`oneOf`/`anyOf`/`not` moves all its constraints into
 *   `anyOf: [{…constraints}, {type: "null"}]` (annotations stay outside), so the composition is not
 *   applied to `null`;
 * - otherwise `type: t` becomes `type: [t, "null"]` and an `enum` gets `null`;
 * - a node without `type` or `enum` already accepts `null`: the keyword is only dropped.
 */
function rewriteNullable(node: Json): void {
  const nullable = node["nullable"];
  delete node["nullable"];
  if (nullable !== true) return;
  if (COMPOSITIONS.some((key) => key in node)) {
    const inner: Json = {};
    for (const [key, value] of Object.entries(node)) {
      if (ANNOTATIONS.has(key) || key.startsWith("x-")) continue;
      inner[key] = value;
      delete node[key];
    }
    node["anyOf"] = [inner, { type: "null" }];
    return;
  }
  const type = node["type"];
  if (typeof type === "string" && type !== "null") node["type"] = [type, "null"];
  else if (Array.isArray(type) && !type.includes("null")) node["type"] = [...type, "null"];
  const choices = node["enum"];
  if (Array.isArray(choices) && !choices.includes(null)) node["enum"] = [...choices, null];
}

/** OpenAPI 3.0 boolean `exclusiveMinimum`/`exclusiveMaximum` → the 2020-12 numeric form. */
function rewriteExclusive(node: Json, keyword: "exclusiveMinimum" | "exclusiveMaximum"): void {
  const flag = node[keyword];
  if (typeof flag !== "boolean") return;
  const bound = keyword === "exclusiveMinimum" ? "minimum" : "maximum";
  delete node[keyword];
  if (flag && typeof node[bound] === "number") {
    node[keyword] = node[bound];
    delete node[bound];
  }
}

/** Applies the 3.0 → 2020-12 rewrites to every schema node below `value`. Returns how many were nullable. */
export function rewriteOpenApi30(value: unknown): number {
  let nullableCount = 0;
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const node = stack.pop();
    if (Array.isArray(node)) {
      stack.push(...node);
      continue;
    }
    if (!isObject(node)) continue;
    if (node["nullable"] === true) nullableCount += 1;
    if ("nullable" in node) rewriteNullable(node);
    rewriteExclusive(node, "exclusiveMinimum");
    rewriteExclusive(node, "exclusiveMaximum");
    stack.push(...Object.values(node));
  }
  return nullableCount;
}

function specPath(): string {
  return fileURLToPath(OPENAI_SPEC_URL);
}

function loadAjv(): Ajv {
  if (ajvInstance !== undefined) return ajvInstance;
  const path = specPath();
  if (!existsSync(path)) {
    throw new Error(
      `OpenAI OpenAPI spec not found at ${path}; expected the official openai-openapi.yaml there (see test/specs/SOURCES.md).`,
    );
  }
  const document: unknown = parse(readFileSync(path, "utf8"), { maxAliasCount: -1 });
  if (!isObject(document) || !isObject(document["components"])) {
    throw new Error(`${path} has no components section; is it the OpenAI OpenAPI spec?`);
  }
  const components = document["components"];
  rewriteOpenApi30(components);
  const ajv = new Ajv2020({ strict: false, allErrors: true, logger: false, validateSchema: false });
  addFormats(ajv);
  ajv.addSchema({ $id: SPEC_ID, components });
  ajvInstance = ajv;
  return ajv;
}

function validatorFor(schemaName: string): ValidateFunction {
  const known = compiled.get(schemaName);
  if (known !== undefined) return known;
  const ajv = loadAjv();
  const validate = ajv.getSchema(`${SPEC_ID}#/components/schemas/${schemaName}`);
  if (validate === undefined) throw new Error(`The OpenAI spec has no schema named ${schemaName}.`);
  compiled.set(schemaName, validate);
  return validate;
}

function describeError(error: ErrorObject): string {
  const where = error.instancePath === "" ? "(root)" : error.instancePath;
  const allowed = error.keyword === "enum" ? ` ${JSON.stringify(error.params)}` : "";
  return `  ${where} ${error.message ?? error.keyword}${allowed}`;
}

function preview(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 600 ? `${text.slice(0, 600)}…` : text;
}

/**
 * Throws when `value` does not match `components.schemas[schemaName]` of the OpenAI spec, listing every
 * Ajv error (instance path and message), e.g. `validateOpenAI("CreateChatCompletionResponse", body)`.
 */
export function validateOpenAI(schemaName: string, value: unknown): void {
  const validate = validatorFor(schemaName);
  if (validate(value)) return;
  const errors = (validate.errors ?? []).map(describeError).join("\n");
  throw new Error(
    `Value does not match OpenAI spec schema ${schemaName}:\n${errors}\nvalue: ${preview(value)}`,
  );
}
