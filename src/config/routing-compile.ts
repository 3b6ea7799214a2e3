import { defaultCacheSettings } from "../core/cache/index.js";
import type { IntentLabel } from "../core/intent/index.js";
import {
  defaultSmartRouting,
  type RouteMatch,
  type RouteRule,
  type SmartRoutingSettings,
} from "../core/routing/index.js";
import type { GroupSpec } from "../types/index.js";
import type { CompileContext } from "./context.js";
import type { RawRoute } from "./routing-schema.js";
import type { RawConfig } from "./schema.js";
import { didYouMean } from "./suggest.js";

function list<T>(value: T | readonly T[] | undefined): readonly T[] | undefined {
  if (value === undefined) return undefined;
  return Array.isArray(value) ? (value as readonly T[]) : [value as T];
}

function lowerKeys(map: Readonly<Record<string, string>> | undefined): Record<string, string> | undefined {
  if (map === undefined) return undefined;
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(map)) out[name.toLowerCase()] = value;
  return out;
}

function compileMatch(raw: RawRoute["match"]): RouteMatch {
  const match: {
    -readonly [K in keyof RouteMatch]: RouteMatch[K];
  } = {};
  if (raw === undefined) return match;
  const model = list(raw.model);
  if (model) match.model = model;
  const intent = list<IntentLabel>(raw.intent);
  if (intent) match.intent = intent;
  if (raw.min_confidence !== undefined) match.minConfidence = raw.min_confidence;
  if (raw.min_prompt_tokens !== undefined) match.minPromptTokens = raw.min_prompt_tokens;
  if (raw.max_prompt_tokens !== undefined) match.maxPromptTokens = raw.max_prompt_tokens;
  if (raw.has_images !== undefined) match.hasImages = raw.has_images;
  if (raw.has_tools !== undefined) match.hasTools = raw.has_tools;
  const format = list(raw.response_format);
  if (format) match.responseFormat = format;
  const headers = lowerKeys(raw.headers);
  if (headers) match.headers = headers;
  const keyName = list(raw.key_name);
  if (keyName) match.keyName = keyName;
  if (raw.metadata) match.metadata = { ...raw.metadata };
  return match;
}

/** Every name a request may ask for: groups and their aliases. */
function groupNames(groups: readonly GroupSpec[]): string[] {
  const names: string[] = [];
  for (const group of groups) names.push(group.name, ...(group.aliases ?? []));
  return names;
}

function compileRoutes(
  routes: readonly RawRoute[],
  groups: readonly GroupSpec[] | null,
  context: CompileContext,
): RouteRule[] {
  const known = groups === null ? null : groupNames(groups);
  return routes.map((raw, index) => {
    if (known !== null && !known.includes(raw.group)) {
      const hint = didYouMean(raw.group, known);
      context.issues.push({
        path: ["routes", index, "group"],
        message: `unknown model group "${raw.group}"${hint === "" ? `; known: ${known.join(", ")}` : hint}`,
      });
    }
    const match = raw.match;
    if (
      match?.min_prompt_tokens !== undefined &&
      match.max_prompt_tokens !== undefined &&
      match.min_prompt_tokens > match.max_prompt_tokens
    ) {
      context.issues.push({
        path: ["routes", index, "match", "max_prompt_tokens"],
        message: "must not be below min_prompt_tokens (the rule could never match)",
      });
    }
    const earlier = routes.slice(0, index).findIndex((other) => other.match === undefined);
    if (earlier >= 0)
      context.warnings.push({
        path: ["routes", index],
        message: `never used: routes[${earlier}] has no match and takes every request`,
      });
    return { name: raw.name ?? `routes[${index}]`, match: compileMatch(match), group: raw.group };
  });
}

/**
 * Compiles `cache:`, `routes:`, `routing.affinity|metadata_in_body|intent_headers` and each group's
 * `cache:` into the gateway's smart-routing settings. Route groups are checked against the compiled
 * groups (`groups` null: the models section failed, skip that check); problems go to `context` with
 * their field path, so they are reported at their file line.
 */
export function compileSmartRouting(
  raw: RawConfig,
  groups: readonly GroupSpec[] | null,
  context: CompileContext,
): SmartRoutingSettings {
  const cache = raw.cache ?? {};
  const routes = compileRoutes(raw.routes ?? [], groups, context);
  const routing = raw.routing ?? {};
  const affinity = routing.affinity;
  const affinityEnabled = typeof affinity === "boolean" ? affinity : (affinity?.enabled ?? true);
  const affinityTtl =
    (typeof affinity === "object" ? affinity.ttl_ms : undefined) ?? defaultSmartRouting.affinity.ttlMs;
  const groupCache: Record<string, boolean> = {};
  for (const [name, group] of Object.entries(raw.models ?? {}))
    if (group?.cache !== undefined) groupCache[name] = group.cache;
  for (const spec of groups ?? [])
    for (const alias of spec.aliases ?? [])
      if (groupCache[spec.name] !== undefined) groupCache[alias] = groupCache[spec.name]!;
  const metadataInBody = routing.metadata_in_body ?? false;
  return {
    cache: {
      enabled: cache.enabled ?? defaultCacheSettings.enabled,
      ttlMs: cache.ttl_ms ?? defaultCacheSettings.ttlMs,
      maxEntries: cache.max_entries ?? defaultCacheSettings.maxEntries,
      maxBytes: cache.max_bytes ?? defaultCacheSettings.maxBytes,
      maxEntryBytes: cache.max_entry_bytes ?? defaultCacheSettings.maxEntryBytes,
    },
    groupCache,
    routes,
    intentHeaders: routing.intent_headers ?? (routes.length > 0 || metadataInBody),
    metadataInBody,
    affinity: { enabled: affinityEnabled, ttlMs: affinityTtl },
  };
}
