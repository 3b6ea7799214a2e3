import type { GroupSpec, ProviderInstanceSpec, ProviderType } from "../types/index.js";
import { unsetAt, type CompileContext } from "./context.js";
import { defaultAzureApiVersion } from "./defaults.js";
import type { RawProvider } from "./schema.js";

/** Local servers that run without a key. */
export const keylessProviderTypes: readonly ProviderType[] = [
  "ollama",
  "vllm",
  "lmstudio",
  "openai-compatible",
];

/** Types whose default base URL does not exist. */
const baseUrlRequired: readonly ProviderType[] = ["openai-compatible", "azure"];

/** One declared provider: its file entry and, when usable, its compiled instance. */
export interface ProviderEntry {
  raw: RawProvider;
  /** Position in the file's `providers` list. */
  index: number;
  /** Null when the instance was skipped (no usable key). */
  spec: ProviderInstanceSpec | null;
}

/** Compiled providers: the usable instances in routing order, and every declared id. */
export interface CompiledProviders {
  /** Usable instances, by `priority` (lower first; none = last), then file order. */
  instances: ProviderInstanceSpec[];
  byId: Map<string, ProviderEntry>;
}

/** Values like `gsk_your_key_here`, `sk-your_openai_key`, `your-api-key` from example files. */
export function isPlaceholderKey(key: string): boolean {
  return /your/i.test(key) && /key|here/i.test(key);
}

function checkFields(raw: RawProvider, index: number, context: CompileContext): void {
  const at = (field: string) => ["providers", index, field];
  if (raw.base_url === undefined && baseUrlRequired.includes(raw.type)) {
    context.issues.push({ path: at("base_url"), message: `is required for type "${raw.type}"` });
  }
  for (const field of ["api_version", "deployments"] as const) {
    if (raw[field] !== undefined && raw.type !== "azure") {
      context.issues.push({
        path: at(field),
        message: `only applies to type "azure" (this is "${raw.type}")`,
      });
    }
  }
  if (
    raw.type === "azure" &&
    raw.base_url !== undefined &&
    new URL(raw.base_url).pathname.replace(/\/+$/, "") !== ""
  ) {
    context.warnings.push({
      path: at("base_url"),
      message:
        "for azure, give the resource URL only (https://<resource>.openai.azure.com); llmux adds /openai/deployments/…",
    });
  }
}

/** The key to use, or null when the instance must be skipped (with a warning saying why). */
function resolveKey(raw: RawProvider, index: number, context: CompileContext): string | null {
  const written = raw.api_key?.trim() ?? "";
  const placeholder = isPlaceholderKey(written);
  if (written !== "" && !placeholder) return written;
  const keyless = keylessProviderTypes.includes(raw.type);
  const fromEnv = unsetAt(context, ["providers", index, "api_key"]).length > 0;
  const given = raw.api_key !== undefined || fromEnv;
  const why = placeholder
    ? "looks like a placeholder from an example file"
    : given
      ? "is empty"
      : "no api_key";
  const outcome = keyless ? "sent without a key" : `instance "${raw.id}" skipped`;
  const path = given ? ["providers", index, "api_key"] : ["providers", index];
  if (!keyless || placeholder || fromEnv) context.warnings.push({ path, message: `${why}: ${outcome}` });
  return keyless ? "" : null;
}

function instanceOf(raw: RawProvider, apiKey: string): ProviderInstanceSpec {
  const models = [...new Set([...(raw.models ?? []), ...Object.keys(raw.deployments ?? {})])];
  const azure =
    raw.type === "azure"
      ? {
          apiVersion: raw.api_version ?? defaultAzureApiVersion,
          deployments: Object.fromEntries(models.map((model) => [model, raw.deployments?.[model] ?? model])),
        }
      : null;
  return {
    id: raw.id,
    type: raw.type,
    apiKey,
    baseUrl: raw.base_url ?? null,
    headers: { ...raw.headers },
    models,
    azure,
    ...(raw.drop_unsupported_betas === true ? { dropUnsupportedBetas: true } : {}),
  };
}

/**
 * Compiles the `providers` list: checks ids are unique and required fields are there, skips
 * instances without a usable key (placeholders count as none; local types run keyless), and
 * orders the rest by `priority` then file order.
 */
export function compileProviders(
  list: readonly RawProvider[] | undefined,
  context: CompileContext,
): CompiledProviders {
  const byId = new Map<string, ProviderEntry>();
  const usable: ProviderEntry[] = [];
  (list ?? []).forEach((raw, index) => {
    const first = byId.get(raw.id);
    if (first) {
      context.issues.push({
        path: ["providers", index, "id"],
        message: `duplicate provider id "${raw.id}" (already used by providers[${first.index}])`,
      });
      return;
    }
    checkFields(raw, index, context);
    const apiKey = resolveKey(raw, index, context);
    const entry: ProviderEntry = { raw, index, spec: apiKey === null ? null : instanceOf(raw, apiKey) };
    byId.set(raw.id, entry);
    if (entry.spec) usable.push(entry);
  });
  const rank = (entry: ProviderEntry) => entry.raw.priority ?? Infinity;
  const ordered = [...usable].sort((a, b) => rank(a) - rank(b) || a.index - b.index);
  return { instances: ordered.flatMap((entry) => (entry.spec ? [entry.spec] : [])), byId };
}

/** Warns about usable instances that list no models and that no group uses. */
export function warnUnusedProviders(
  providers: CompiledProviders,
  groups: readonly GroupSpec[],
  context: CompileContext,
): void {
  const used = new Set(
    groups.flatMap((group) => group.deployments.map((deployment) => deployment.providerId)),
  );
  for (const entry of providers.byId.values()) {
    if (entry.spec && !used.has(entry.spec.id)) {
      context.warnings.push({
        path: ["providers", entry.index],
        message: `instance "${entry.raw.id}" serves nothing: list its models or use it in a group`,
      });
    }
  }
}
