import { z } from "zod";
import { intentLabels } from "../core/intent/index.js";
import { boolean, byteSize, durationMs, integer, optional, strictObject, text } from "./schema-fields.js";

/*
 * The smart-routing parts of the file format: the `cache:` section, the `routes:` list, and the
 * `routing:` fields `affinity`, `metadata_in_body`, `intent_headers` (merged into the routing
 * section's schema). README.md documents them.
 */

/** `cache:` — the response cache (off by default). */
export const cacheSchema = strictObject({
  enabled: optional(boolean),
  ttl_ms: optional(durationMs),
  max_entries: optional(integer(1)),
  max_bytes: optional(byteSize),
  max_entry_bytes: optional(byteSize),
});

/** One value or a list of them. */
function oneOrMany<T extends z.ZodType>(schema: T) {
  return z.union([schema, z.array(schema).min(1)]);
}

const stringMap = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]).transform(String));

/** `routes[i].match` — every condition given must hold. */
const matchSchema = strictObject({
  model: optional(oneOrMany(text)),
  intent: optional(oneOrMany(z.enum(intentLabels))),
  min_confidence: optional(z.number().min(0).max(1)),
  min_prompt_tokens: optional(integer(0)),
  max_prompt_tokens: optional(integer(0)),
  has_images: optional(boolean),
  has_tools: optional(boolean),
  response_format: optional(oneOrMany(z.enum(["none", "text", "json_object", "json_schema"]))),
  headers: optional(stringMap),
  key_name: optional(oneOrMany(text)),
  metadata: optional(stringMap),
});

/** `routes[i]` — first match wins; a request matching none uses its own model's group. */
export const routeSchema = strictObject({
  name: optional(text),
  match: optional(matchSchema),
  group: text,
});

/** `routes:` */
export const routesSchema = z.array(routeSchema);

/** Fields of the `routing:` section that belong to smart routing. */
export const smartRoutingFields = {
  /** Prompt-cache affinity: on by default; `false` or `{ enabled: false }` turns it off. */
  affinity: optional(
    z.union([boolean, strictObject({ enabled: optional(boolean), ttl_ms: optional(durationMs) })]),
  ),
  /** `router_metadata` in non-streaming answers (ModelMuxer's shape). */
  metadata_in_body: optional(boolean),
  /** `x-llmux-intent` headers on every answer (the classifier runs per request). */
  intent_headers: optional(boolean),
};

export type RawCache = z.output<typeof cacheSchema>;
export type RawRoute = z.output<typeof routeSchema>;
