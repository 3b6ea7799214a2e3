/**
 * Validates values against the Anthropic Messages OpenAPI spec (`test/specs/anthropic-openapi.json`,
 * OpenAPI 3.1, Stainless) with Ajv2020, as described in wire.md §8.
 *
 * The spec is read and registered once per process, on the first call; each schema is compiled once,
 * on its first use. Nothing happens at import time. The spec compiles as it is (no patching needed):
 * its `discriminator` keywords are ignored (`strict: false`) and every branch is plain JSON Schema.
 */
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import Ajv2020Module, { type ErrorObject, type ValidateFunction } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";

const Ajv2020 = Ajv2020Module.default;
const addFormats = addFormatsModule.default;
type Ajv = InstanceType<typeof Ajv2020>;

/** Where the spec lives: `test/specs/anthropic-openapi.json`, a verbatim copy (see `test/specs/SOURCES.md`). */
export const ANTHROPIC_SPEC_URL = new URL("../../specs/anthropic-openapi.json", import.meta.url);

const SPEC_ID = "anthropic";

let ajvInstance: Ajv | undefined;
const compiled = new Map<string, ValidateFunction>();

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function loadAjv(): Ajv {
  if (ajvInstance !== undefined) return ajvInstance;
  const path = fileURLToPath(ANTHROPIC_SPEC_URL);
  if (!existsSync(path)) {
    throw new Error(`Anthropic OpenAPI spec not found at ${path} (see test/specs/SOURCES.md).`);
  }
  const document: unknown = JSON.parse(readFileSync(path, "utf8"));
  if (!isObject(document) || !isObject(document["components"])) {
    throw new Error(`${path} has no components section; is it the Anthropic OpenAPI spec?`);
  }
  const ajv = new Ajv2020({ strict: false, allErrors: true, logger: false, validateSchema: false });
  addFormats(ajv);
  ajv.addSchema({ $id: SPEC_ID, components: document["components"] });
  ajvInstance = ajv;
  return ajv;
}

function validatorFor(schemaName: string): ValidateFunction {
  const known = compiled.get(schemaName);
  if (known !== undefined) return known;
  const validate = loadAjv().getSchema(`${SPEC_ID}#/components/schemas/${schemaName}`);
  if (validate === undefined) throw new Error(`The Anthropic spec has no schema named ${schemaName}.`);
  compiled.set(schemaName, validate);
  return validate;
}

function describeError(error: ErrorObject): string {
  const where = error.instancePath === "" ? "(root)" : error.instancePath;
  const allowed =
    error.keyword === "enum" || error.keyword === "const" ? ` ${JSON.stringify(error.params)}` : "";
  return `  ${where} ${error.message ?? error.keyword}${allowed}`;
}

function preview(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 600 ? `${text.slice(0, 600)}…` : text;
}

/**
 * Throws when `value` does not match `components.schemas[schemaName]` of the Anthropic spec, listing
 * every Ajv error, e.g. `validateAnthropic("CreateMessageParams", body)`.
 */
export function validateAnthropic(schemaName: string, value: unknown): void {
  const validate = validatorFor(schemaName);
  if (validate(value)) return;
  const errors = (validate.errors ?? []).map(describeError).join("\n");
  throw new Error(
    `Value does not match Anthropic spec schema ${schemaName}:\n${errors}\nvalue: ${preview(value)}`,
  );
}
