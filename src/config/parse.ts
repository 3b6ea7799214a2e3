import { redactSecrets } from "../errors/index.js";
import { LineCounter, parseDocument, type Document } from "yaml";
import { warnUnusedProviders, compileProviders } from "./compile-providers.js";
import { compileGroups } from "./compile-groups.js";
import { compileSettings } from "./compile-settings.js";
import { compileSpend } from "./compile-spend.js";
import { compileSmartRouting } from "./routing-compile.js";
import { newContext, type CompileContext, type OriginDraft } from "./context.js";
import { ConfigError, formatIssue, formatPath, type PathIssue } from "./errors.js";
import { interpolateTree, unsetNote } from "./interpolate.js";
import { locate } from "./locate.js";
import { sectionSchemas, type RawConfig } from "./schema.js";
import { settingNames, type SettingName, type SettingOrigin, type SettingSources } from "./sources.js";
import { didYouMean } from "./suggest.js";
import type { ConfigIssue, GatewayConfig, LoadedConfig } from "./types.js";
import { syntaxIssue, syntaxIssues } from "./yaml-syntax.js";
import { fromZodIssues } from "./zod-issues.js";

type Section = keyof typeof sectionSchemas;
const sections = Object.keys(sectionSchemas) as Section[];

/** Checks the top-level keys and each section on its own; returns the sections that passed. */
function validate(
  tree: Record<string, unknown>,
  context: CompileContext,
): { raw: RawConfig; failed: Set<Section> } {
  const raw: RawConfig = {};
  const failed = new Set<Section>();
  for (const key of Object.keys(tree)) {
    if (sections.includes(key as Section)) continue;
    const hint = didYouMean(key, sections);
    const message =
      hint === ""
        ? `unknown section "${key}"; allowed: ${sections.join(", ")}`
        : `unknown section "${key}"${hint}`;
    context.issues.push({ path: [key], message, at: "key" });
  }
  for (const section of sections) {
    const result = sectionSchemas[section].safeParse(tree[section], { reportInput: true });
    if (result.success) Object.assign(raw, { [section]: result.data });
    else {
      failed.add(section);
      context.issues.push(...fromZodIssues(result.error.issues, [section]));
    }
  }
  return { raw, failed };
}

/** Validates and compiles a parsed tree into the gateway config. */
function compile(tree: Record<string, unknown>, context: CompileContext, file: string): GatewayConfig {
  const { raw, failed } = validate(tree, context);
  const settings = compileSettings(raw, context);
  const providers = failed.has("providers") ? null : compileProviders(raw.providers, context);
  const groups =
    providers && !failed.has("models")
      ? compileGroups(raw.models, providers, settings.routing.strategy, context)
      : [];
  if (providers) warnUnusedProviders(providers, groups, context);
  if (providers && providers.instances.length === 0) {
    context.warnings.push({
      path: ["providers"],
      message: "no usable provider instances: every request will fail",
      at: "key",
    });
  }
  const known = providers && !failed.has("models") ? groups : null;
  const spend = compileSpend(raw, known, file, context);
  const smart = compileSmartRouting(raw, known, context);
  return { ...settings, providers: providers?.instances ?? [], groups, spend, smart };
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

function placer(document: Document, lineCounter: LineCounter, file: string, context: CompileContext) {
  return (issue: PathIssue): ConfigIssue => {
    if (issue.at === "none") return { file, line: null, column: null, path: "", message: issue.message };
    const path = formatPath(issue.path);
    const position = locate(document, lineCounter, issue.path, issue.at);
    const unset = context.unset.get(path);
    const message = redactSecrets(unset ? `${issue.message} (${unsetNote(unset)})` : issue.message);
    return { file, line: position?.line ?? null, column: position?.column ?? null, path, message };
  };
}

/** Each tracked setting's origins, file fields placed at the line of their key. */
function placeSources(
  document: Document,
  lineCounter: LineCounter,
  file: string,
  context: CompileContext,
): SettingSources {
  const place = (origin: OriginDraft): SettingOrigin => {
    if (origin.kind !== "file") return origin;
    const position = locate(document, lineCounter, origin.path, "key");
    return { kind: "file", file, line: position?.line ?? null, field: formatPath(origin.path) };
  };
  const sources = {} as Record<SettingName, SettingOrigin[]>;
  for (const name of settingNames)
    sources[name] = (context.origins.get(name) ?? [{ kind: "default" }]).map(place);
  return sources;
}

function byPlace(a: ConfigIssue, b: ConfigIssue): number {
  return (a.line ?? Infinity) - (b.line ?? Infinity) || (a.column ?? 0) - (b.column ?? 0);
}

/**
 * Parses, interpolates (`${ENV}`, `${ENV:-default}`), validates and compiles a YAML config — the
 * llmux form or a MultiRouter-AI `providers.yaml` as-is — into a frozen `GatewayConfig`.
 * Throws `ConfigError` listing every problem with its file, line, column and field path.
 */
export function parseConfig(
  text: string,
  options: { file: string; env: Record<string, string | undefined> },
): LoadedConfig {
  const { file, env } = options;
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (document.errors.length > 0) {
    throw new ConfigError(syntaxIssues(document.errors, text, lineCounter, file));
  }
  let tree: unknown;
  try {
    tree = document.toJS() ?? {};
  } catch (error) {
    const message = `YAML error: ${error instanceof Error ? error.message : String(error)}`;
    throw new ConfigError([{ file, line: null, column: null, path: "", message }]);
  }
  if (typeof tree !== "object" || tree === null || Array.isArray(tree)) {
    const message = `the file must be a map of sections (${sections.join(", ")})`;
    throw new ConfigError([{ file, line: 1, column: 1, path: "", message }]);
  }
  const { value, unset } = interpolateTree(tree, env);
  const context = newContext(env, unset);
  const config = compile(value as Record<string, unknown>, context, file);
  const place = placer(document, lineCounter, file, context);
  if (context.issues.length > 0) throw new ConfigError(context.issues.map(place).sort(byPlace));
  const yamlWarnings = document.warnings.map((warning) => syntaxIssue(warning, text, lineCounter, file));
  const warnings = [...yamlWarnings, ...context.warnings.map(place)].sort(byPlace).map(formatIssue);
  const sources = deepFreeze(placeSources(document, lineCounter, file, context));
  return { config: deepFreeze(config), warnings, file, sources };
}
