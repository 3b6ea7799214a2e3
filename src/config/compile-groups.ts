import type { DeploymentSpec, GroupSpec, PriceOverride } from "../types/index.js";
import type { CompiledProviders, ProviderEntry } from "./compile-providers.js";
import { strategyOf } from "./compile-settings.js";
import type { CompileContext } from "./context.js";
import type { PathSegment } from "./errors.js";
import type { RawDeployment, RawGroup } from "./schema.js";
import { didYouMean } from "./suggest.js";
import type { RoutingStrategy } from "./types.js";

/** Virtual models that round-robin over every instance × model (MultiRouter's name and ours). */
export const autoGroupNames = ["multirouter-auto", "llmux-auto"] as const;

/** What a deployment entry may set for itself (the provider's values are the defaults). */
interface Settings {
  weight?: number | undefined;
  rpm?: number | undefined;
  tpm?: number | undefined;
  rpd?: number | undefined;
  context_window?: number | undefined;
  first_token_timeout_ms?: number | undefined;
  stream_idle_timeout_ms?: number | undefined;
  include_usage?: boolean | undefined;
  prefill?: boolean | "auto" | undefined;
  price?: PriceOverride | undefined;
}

/** A deployment of `model` on a provider, with the provider's limits as defaults. */
function deploymentOf(entry: ProviderEntry, model: string, tier: number, own: Settings = {}): DeploymentSpec {
  const provider = entry.raw;
  return {
    id: `${provider.id}/${model}`,
    providerId: provider.id,
    model,
    weight: own.weight ?? 1,
    tier,
    rpm: own.rpm ?? provider.rpm ?? null,
    tpm: own.tpm ?? provider.tpm ?? null,
    rpd: own.rpd ?? provider.rpd ?? null,
    contextWindow: own.context_window ?? provider.context_window ?? null,
    firstTokenTimeoutMs: own.first_token_timeout_ms ?? provider.first_token_timeout_ms ?? null,
    streamIdleTimeoutMs: own.stream_idle_timeout_ms ?? provider.stream_idle_timeout_ms ?? null,
    includeUsage: own.include_usage ?? provider.include_usage ?? true,
    quotaGroup: provider.quota_group ?? null,
    prefill: own.prefill ?? provider.prefill ?? "auto",
    ...(own.price || provider.price
      ? { priceOverride: { deployment: own.price ?? null, provider: provider.price ?? null } }
      : {}),
  };
}

/**
 * Groups made from the providers' model lists: one per model over every instance that lists it
 * (routing order, default strategy), and the `*-auto` groups round-robining over everything.
 */
function automaticGroups(providers: CompiledProviders, strategy: RoutingStrategy): GroupSpec[] {
  const byModel = new Map<string, DeploymentSpec[]>();
  const all: DeploymentSpec[] = [];
  for (const instance of providers.instances) {
    const entry = providers.byId.get(instance.id);
    if (!entry) continue;
    for (const model of instance.models) {
      const deployment = deploymentOf(entry, model, 0);
      byModel.set(model, [...(byModel.get(model) ?? []), deployment]);
      all.push(deployment);
    }
  }
  const groups: GroupSpec[] = [...byModel].map(([name, deployments]) => ({
    name,
    strategy,
    deployments,
    automatic: true,
  }));
  if (all.length === 0) return groups;
  return [
    ...groups,
    ...autoGroupNames.map((name) => ({
      name,
      strategy: "round-robin" as const,
      deployments: all,
      automatic: true,
    })),
  ];
}

interface Written {
  ref: RawDeployment;
  path: PathSegment[];
}

/** The written tiers of a group: `tiers`, or `deployments` followed by one tier per `fallbacks` entry. */
function writtenTiers(name: string, raw: RawGroup, context: CompileContext): Written[][] {
  const base: PathSegment[] = ["models", name];
  if (raw.tiers !== undefined) {
    if (raw.deployments !== undefined) {
      context.issues.push({
        path: [...base, "tiers"],
        message: "use either deployments (with fallbacks) or tiers, not both",
      });
    }
    if (raw.fallbacks !== undefined) {
      context.issues.push({
        path: [...base, "fallbacks"],
        message: "fallbacks go with deployments; with tiers, add a tier",
      });
    }
    return raw.tiers.map((tier, t) => tier.map((ref, k) => ({ ref, path: [...base, "tiers", t, k] })));
  }
  const primary = (raw.deployments ?? []).map((ref, k) => ({ ref, path: [...base, "deployments", k] }));
  const fallbacks = (raw.fallbacks ?? []).map((entry, t) =>
    Array.isArray(entry)
      ? entry.map((ref, k) => ({ ref, path: [...base, "fallbacks", t, k] }))
      : [{ ref: entry, path: [...base, "fallbacks", t] }],
  );
  return [primary, ...fallbacks];
}

function split(ref: RawDeployment): { provider: string; model: string; own: Settings; field: PathSegment[] } {
  if (typeof ref !== "string")
    return { provider: ref.provider, model: ref.model, own: ref, field: ["provider"] };
  const slash = ref.indexOf("/");
  return { provider: ref.slice(0, slash), model: ref.slice(slash + 1), own: {}, field: [] };
}

/** The deployments of one group being compiled, and the providers dropped from it. */
interface GroupDraft {
  name: string;
  deployments: DeploymentSpec[];
  skipped: Set<string>;
}

/** Resolves one written deployment into the draft, or reports why it cannot be used. */
function addDeployment(
  { ref, path }: Written,
  tier: number,
  draft: GroupDraft,
  providers: CompiledProviders,
  context: CompileContext,
): void {
  const { provider, model, own, field } = split(ref);
  const entry = providers.byId.get(provider);
  const id = `${provider}/${model}`;
  if (!entry) {
    const known = [...providers.byId.keys()];
    const list = known.length === 0 ? "no providers are defined" : `defined: ${known.join(", ")}`;
    const message = `unknown provider "${provider}"${didYouMean(provider, known)}; ${list}`;
    context.issues.push({ path: [...path, ...field], message });
  } else if (!entry.spec) {
    draft.skipped.add(provider);
    const message = `deployment "${id}" dropped: provider "${provider}" was skipped (no usable API key)`;
    context.warnings.push({ path, message });
  } else if (draft.deployments.some((d) => d.id === id)) {
    context.issues.push({ path, message: `duplicate deployment "${id}" in group "${draft.name}"` });
  } else draft.deployments.push(deploymentOf(entry, model, tier, own));
}

/** Compiles one `models.<name>` entry; null when it has problems (already reported). */
function explicitGroup(
  name: string,
  raw: RawGroup,
  providers: CompiledProviders,
  fallbackStrategy: RoutingStrategy,
  context: CompileContext,
): GroupSpec | null {
  const draft: GroupDraft = { name, deployments: [], skipped: new Set() };
  const { deployments, skipped } = draft;
  const before = context.issues.length;
  let tier = 0;
  for (const written of writtenTiers(name, raw, context)) {
    const count = deployments.length;
    for (const item of written) addDeployment(item, tier, draft, providers, context);
    if (deployments.length > count) tier += 1;
  }
  if (context.issues.length > before) return null;
  if (deployments.length === 0) {
    const why =
      skipped.size > 0
        ? `every provider it uses was skipped for a missing API key (${[...skipped].join(", ")})`
        : "add deployments or tiers";
    context.issues.push({
      path: ["models", name],
      message: `group "${name}" has no usable deployments: ${why}`,
      at: "key",
    });
    return null;
  }
  return {
    name,
    strategy: raw.strategy ? strategyOf(raw.strategy) : fallbackStrategy,
    deployments,
    automatic: false,
    ...(raw.aliases !== undefined && raw.aliases.length > 0 ? { aliases: [...raw.aliases] } : {}),
    ...(raw.hedge === undefined ? {} : { hedge: raw.hedge }),
    ...(raw.hedge_after_ms === undefined ? {} : { hedgeAfterMs: raw.hedge_after_ms }),
  };
}

/** Reports aliases that name another group or are given twice (a name asks for one group). */
function checkAliases(models: Readonly<Record<string, RawGroup>>, context: CompileContext): void {
  const owner = new Map<string, string>(Object.keys(models).map((name) => [name, name]));
  for (const [name, raw] of Object.entries(models)) {
    (raw.aliases ?? []).forEach((alias, index) => {
      const taken = owner.get(alias);
      if (taken !== undefined && taken !== name) {
        const what = taken === alias ? `the group "${alias}"` : `an alias of group "${taken}"`;
        const message = `alias "${alias}" is already ${what}`;
        context.issues.push({ path: ["models", name, "aliases", index], message });
      } else owner.set(alias, name);
    });
  }
}

/**
 * Compiles the model groups: the explicit `models:` map (file order), then the automatic groups
 * whose name no explicit group took.
 */
export function compileGroups(
  models: Readonly<Record<string, RawGroup>> | undefined,
  providers: CompiledProviders,
  strategy: RoutingStrategy,
  context: CompileContext,
): GroupSpec[] {
  const explicit: GroupSpec[] = [];
  for (const [name, raw] of Object.entries(models ?? {})) {
    if (name.trim() === "") {
      context.issues.push({ path: ["models", name], message: "a group name must not be empty", at: "key" });
      continue;
    }
    const group = explicitGroup(name, raw, providers, strategy, context);
    if (group) explicit.push(group);
  }
  checkAliases(models ?? {}, context);
  const taken = new Set(Object.keys(models ?? {}));
  for (const group of explicit) for (const alias of group.aliases ?? []) taken.add(alias);
  return [...explicit, ...automaticGroups(providers, strategy).filter((group) => !taken.has(group.name))];
}
