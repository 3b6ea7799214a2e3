import { redactSecrets, SecretRedactor } from "../errors/index.js";
import type { DeploymentSpec, GroupSpec, ProviderInstanceSpec } from "../types/index.js";
import { formatSmartRouting } from "./routing-format.js";
import type { GatewayConfig } from "./types.js";

/** A URL without credentials: the password becomes `***` and secret-looking query values are masked. */
export function safeUrl(url: string): string {
  if (!URL.canParse(url)) return "(invalid URL)";
  const parsed = new URL(url);
  if (parsed.password !== "") parsed.password = "***";
  return redactSecrets(parsed.toString());
}

function bytes(count: number): string {
  const mib = count / (1024 * 1024);
  return Number.isInteger(mib) ? `${mib} MiB` : `${count} bytes`;
}

function limits(d: DeploymentSpec): string {
  const parts = [`weight ${d.weight}`];
  if (d.rpm !== null) parts.push(`rpm ${d.rpm}`);
  if (d.tpm !== null) parts.push(`tpm ${d.tpm}`);
  if (d.rpd !== null) parts.push(`rpd ${d.rpd}`);
  if (d.contextWindow !== null) parts.push(`context ${d.contextWindow}`);
  if (d.firstTokenTimeoutMs !== null) parts.push(`first token ${d.firstTokenTimeoutMs} ms`);
  if (d.streamIdleTimeoutMs !== null) parts.push(`stream idle ${d.streamIdleTimeoutMs} ms`);
  if (!d.includeUsage) parts.push("no include_usage");
  if (d.prefill !== undefined && d.prefill !== "auto") parts.push(`prefill ${d.prefill}`);
  return parts.join(", ");
}

function formatGroup(group: GroupSpec): string[] {
  const tiers = [...new Set(group.deployments.map((d) => d.tier))].sort((a, b) => a - b);
  const kind = group.automatic ? ", automatic" : "";
  const hedge =
    group.hedge === false
      ? ", no hedge"
      : group.hedgeAfterMs === undefined
        ? ""
        : `, hedge after ${group.hedgeAfterMs} ms`;
  const lines = [`  ${group.name} (${group.strategy}${kind}${hedge})`];
  const width = Math.max(...group.deployments.map((d) => d.id.length));
  for (const tier of tiers) {
    lines.push(`    tier ${tier} ${tier === 0 ? "(primary)" : `(fallback ${tier})`}`);
    for (const d of group.deployments.filter((deployment) => deployment.tier === tier)) {
      lines.push(`      ${d.id.padEnd(width)}  ${limits(d)}`);
    }
  }
  return lines;
}

function formatProvider(provider: ProviderInstanceSpec): string[] {
  const base = provider.baseUrl === null ? "(default)" : safeUrl(provider.baseUrl);
  const key = provider.apiKey === "" ? "none" : "set";
  const lines = [`  ${provider.id} (${provider.type})  base URL: ${base}  key: ${key}`];
  lines.push(`    models: ${provider.models.length === 0 ? "(none listed)" : provider.models.join(", ")}`);
  const headers = Object.keys(provider.headers);
  if (headers.length > 0) lines.push(`    headers: ${headers.join(", ")} (values hidden)`);
  if (provider.azure) {
    const map = Object.entries(provider.azure.deployments).map(([model, name]) => `${model} → ${name}`);
    lines.push(
      `    azure api-version ${provider.azure.apiVersion}; deployments: ${map.join(", ") || "(none)"}`,
    );
  }
  return lines;
}

function formatSettings(config: GatewayConfig): string[] {
  const { server, routing, state } = config;
  const keys = server.auth.keys.length;
  const auth = keys === 0 ? "none (open)" : `${keys} key${keys === 1 ? "" : "s"}`;
  const rate = (rpm: number | null) => (rpm === null ? "unlimited" : `${rpm}/min`);
  const lines = [
    `Server: ${server.host}:${server.port}, auth: ${auth}, body limit ${bytes(server.bodyLimitBytes)}`,
    `  client rate limit: per key ${rate(server.rateLimit.perKeyRpm)}, per IP ${rate(server.rateLimit.perIpRpm)}`,
    `State: ${state.redis ? `redis ${safeUrl(state.redis.url)} (prefix ${state.redis.prefix})` : "in-memory"}`,
    `Routing: default strategy ${routing.strategy}`,
  ];
  const { strategy: _strategy, ...engine } = routing;
  const tuned = Object.entries(engine).map(([name, value]) =>
    typeof value === "object" ? `${name} ${JSON.stringify(value)}` : `${name} ${value}`,
  );
  if (tuned.length > 0) lines.push(`  ${tuned.join(", ")}`);
  return lines;
}

/**
 * A human-readable compiled routing plan for `llmux check`: settings, each group with its strategy,
 * tiers and deployments (id, weight, limits), and each provider instance (id, type, base URL or
 * "(default)", models). Secrets are never printed: API keys show as `key: set` / `key: none`, header
 * values, gateway keys and URL passwords are hidden, and every configured secret is masked by value
 * in the whole text (a key that is also a model name or sits in a URL path).
 */
export function formatPlan(config: GatewayConfig): string {
  const lines = formatSettings(config);
  lines.push(...formatSmartRouting(config.smart));
  lines.push("", `Groups (${config.groups.length}):`);
  if (config.groups.length === 0) lines.push("  (none)");
  for (const group of config.groups) lines.push(...formatGroup(group));
  lines.push("", `Providers (${config.providers.length}):`);
  if (config.providers.length === 0) lines.push("  (none)");
  for (const provider of config.providers) lines.push(...formatProvider(provider));
  return SecretRedactor.fromConfig(config).redact(lines.join("\n"));
}
