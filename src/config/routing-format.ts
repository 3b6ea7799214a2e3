import type { RouteMatch, SmartRoutingSettings } from "../core/routing/index.js";

function ms(value: number): string {
  return value % 60_000 === 0
    ? `${value / 60_000} min`
    : value % 1000 === 0
      ? `${value / 1000} s`
      : `${value} ms`;
}

/** One rule's conditions as text (`model auto, intent code_gen ≥ 0.5, prompt ≥ 20000 tokens`). */
export function formatMatch(match: RouteMatch): string {
  const parts: string[] = [];
  if (match.model) parts.push(`model ${match.model.join("|")}`);
  if (match.intent) parts.push(`intent ${match.intent.join("|")}`);
  if (match.minConfidence !== undefined) parts.push(`confidence ≥ ${match.minConfidence}`);
  if (match.minPromptTokens !== undefined) parts.push(`prompt ≥ ${match.minPromptTokens} tokens`);
  if (match.maxPromptTokens !== undefined) parts.push(`prompt ≤ ${match.maxPromptTokens} tokens`);
  if (match.hasImages !== undefined) parts.push(match.hasImages ? "images" : "no images");
  if (match.hasTools !== undefined) parts.push(match.hasTools ? "tools" : "no tools");
  if (match.responseFormat) parts.push(`response_format ${match.responseFormat.join("|")}`);
  // Header and metadata values may be secrets: names only.
  if (match.headers) parts.push(`headers ${Object.keys(match.headers).join(", ")}`);
  if (match.keyName) parts.push(`key ${match.keyName.join("|")}`);
  if (match.metadata) parts.push(`metadata ${Object.keys(match.metadata).join(", ")}`);
  return parts.length === 0 ? "every request" : parts.join(", ");
}

/** The smart-routing part of `llmux check`: cache, affinity, intent headers and the ordered rules. */
export function formatSmartRouting(smart: SmartRoutingSettings | undefined): string[] {
  if (smart === undefined) return [];
  const { cache, affinity } = smart;
  const groups = Object.entries(smart.groupCache).map(([name, on]) => `${name} ${on ? "on" : "off"}`);
  const lines = [
    `Cache: ${cache.enabled ? "on" : "off"} by default${groups.length > 0 ? ` (${groups.join(", ")})` : ""}, TTL ${ms(cache.ttlMs)}, at most ${cache.maxEntries} entries / ${cache.maxBytes} bytes in memory`,
    `Affinity: ${affinity.enabled ? `on, TTL ${ms(affinity.ttlMs)}` : "off"}; intent headers ${smart.intentHeaders ? "on" : "off"}; router_metadata in bodies ${smart.metadataInBody ? "on" : "off"}`,
  ];
  lines.push(`Routes (${smart.routes.length}, first match wins):`);
  if (smart.routes.length === 0) lines.push("  (none: each request uses its model's group)");
  smart.routes.forEach((rule, index) => {
    const name = rule.name === `routes[${index}]` ? "" : ` ${rule.name}:`;
    lines.push(`  ${index + 1}.${name} ${formatMatch(rule.match)} → ${rule.group}`);
  });
  return lines;
}
