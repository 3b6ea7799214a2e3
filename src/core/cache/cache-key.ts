import { createHash } from "node:crypto";
import type { ChatRequest } from "../../types/index.js";
import { canonicalJson } from "./canonical-json.js";

/**
 * Request fields that do not change the answer and are left out of the key: how it is delivered
 * (`stream`, `stream_options`), who asks (`user`, `safety_identifier`), bookkeeping (`metadata`,
 * `store`, `prompt_cache_key`) and `model` (the key uses the model group instead).
 *
 * Everything else is in the key — messages, tools, tool_choice, response_format, temperature, top_p,
 * penalties, logit_bias, max tokens, n, seed, stop, reasoning_effort, modalities, and any field this
 * list does not know — so an unknown field that changes the answer can never make two requests collide.
 */
export const fieldsOutsideKey: ReadonlySet<string> = new Set([
  "model",
  "stream",
  "stream_options",
  "user",
  "metadata",
  "store",
  "prompt_cache_key",
  "safety_identifier",
]);

/** Bumped when the canonical form changes, so old entries stop matching. */
const keyVersion = "llmux-cache-v1";

/**
 * The canonical form of a request for the cache: the fields in the key (see {@link fieldsOutsideKey}),
 * top-level `null`s dropped (null means the default), `max_tokens` folded into `max_completion_tokens`
 * (the same limit under its newer name) and a string `stop` written as a one-element list.
 */
export function canonicalRequest(request: ChatRequest): Record<string, unknown> {
  const canonical: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(request)) {
    if (value === null || value === undefined || fieldsOutsideKey.has(field)) continue;
    canonical[field] = value;
  }
  if (canonical["max_completion_tokens"] === undefined && canonical["max_tokens"] !== undefined) {
    canonical["max_completion_tokens"] = canonical["max_tokens"];
  }
  delete canonical["max_tokens"];
  if (typeof canonical["stop"] === "string") canonical["stop"] = [canonical["stop"]];
  return canonical;
}

/**
 * The cache key of a chat request to a model group: the sha256 (hex) of the group name and the
 * canonical JSON (sorted keys) of {@link canonicalRequest}. Pure; key order never matters.
 */
export function cacheKey(group: string, request: ChatRequest): string {
  return createHash("sha256")
    .update(`${keyVersion}\n${JSON.stringify(group)}\n`)
    .update(canonicalJson(canonicalRequest(request)))
    .digest("hex");
}
