import { budgetPeriods, keyNamePattern } from "../types/index.js";
import type {
  BudgetsInput,
  PriceOverrideInput,
  SpendConfigInput,
  SpendConfigIssue,
  SpendSettings,
  VirtualKeyInput,
  VirtualKeySettings,
} from "./spend-types.js";

/** Shortest accepted secret for virtual keys and the admin key (shorter ones are guessable and escape redaction). */
export const minimumKeyLength = 16;

/** The issues of one value, collected with their paths. */
class Issues {
  readonly list: SpendConfigIssue[] = [];
  add(path: string, message: string): void {
    this.list.push({ path, message });
  }
}

function isAmount(value: unknown): value is number {
  return typeof value === "number" && Number.isFinite(value) && value >= 0;
}

function isCount(value: unknown): value is number {
  return typeof value === "number" && Number.isInteger(value) && value > 0;
}

function optionalAmount(value: unknown, path: string, issues: Issues): number | null {
  if (value === undefined || value === null) return null;
  if (isAmount(value)) return value;
  issues.add(path, "must be a number >= 0 (USD)");
  return null;
}

function optionalCount(value: unknown, path: string, issues: Issues): number | null {
  if (value === undefined || value === null) return null;
  if (isCount(value)) return value;
  issues.add(path, "must be a whole number > 0");
  return null;
}

/** Checks a `price:` block: `input_per_1m_usd` and `output_per_1m_usd` required, all >= 0. */
export function checkPriceOverride(value: unknown, path: string): SpendConfigIssue[] {
  const issues = new Issues();
  if (typeof value !== "object" || value === null) {
    issues.add(path, "must be { input_per_1m_usd, output_per_1m_usd, cached_input_per_1m_usd? }");
    return issues.list;
  }
  const price = value as Partial<Record<keyof PriceOverrideInput, unknown>>;
  for (const field of ["input_per_1m_usd", "output_per_1m_usd"] as const) {
    if (price[field] === undefined) issues.add(`${path}.${field}`, "is required");
    else if (!isAmount(price[field]))
      issues.add(`${path}.${field}`, "must be a number >= 0 (USD per 1M tokens)");
  }
  const cached = price.cached_input_per_1m_usd;
  if (cached !== undefined && !isAmount(cached)) {
    issues.add(`${path}.cached_input_per_1m_usd`, "must be a number >= 0 (USD per 1M tokens)");
  }
  return issues.list;
}

/** `2026-12-31`, an ISO time or ms since the epoch; null when absent. */
function expiry(value: unknown, path: string, issues: Issues): number | null {
  if (value === undefined || value === null) return null;
  const time = typeof value === "number" ? value : typeof value === "string" ? Date.parse(value) : NaN;
  if (Number.isFinite(time)) return time;
  issues.add(path, "must be an ISO 8601 date or time (2026-12-31, 2026-12-31T18:00:00Z)");
  return null;
}

/**
 * Checks one key (from the config, or posted to the admin API without `key`: pass `secretRequired`
 * false) and compiles it. `groups` are the known model groups (unknown ones in `models` are issues).
 */
export function checkVirtualKey(
  input: VirtualKeyInput | Partial<VirtualKeyInput>,
  path: string,
  groups: readonly string[] | null,
  secretRequired = true,
): { key: VirtualKeySettings | null; issues: SpendConfigIssue[] } {
  const issues = new Issues();
  const name = input.name;
  if (typeof name !== "string" || !keyNamePattern.test(name)) {
    issues.add(`${path}.name`, "must be 1 to 64 letters, digits, '.', '_', '-', '@' or ':'");
  }
  const secret = input.key;
  if (secret === undefined || secret === null || secret === "") {
    if (secretRequired)
      issues.add(`${path}.key`, 'is required (set it from the environment: "${TEAM_A_KEY}")');
  } else if (typeof secret !== "string" || secret.length < minimumKeyLength) {
    issues.add(`${path}.key`, `must be at least ${minimumKeyLength} characters`);
  }
  const period = input.budget_period ?? null;
  if (period !== null && !budgetPeriods.includes(period)) {
    issues.add(`${path}.budget_period`, `must be one of ${budgetPeriods.join(", ")}`);
  }
  const budgetUsd = optionalAmount(input.budget_usd, `${path}.budget_usd`, issues);
  if (period !== null && budgetPeriods.includes(period) && (input.budget_usd ?? null) === null) {
    issues.add(`${path}.budget_period`, "needs budget_usd");
  }
  const models = input.models ?? null;
  if (models !== null) {
    if (!Array.isArray(models) || models.some((model) => typeof model !== "string" || model === "")) {
      issues.add(`${path}.models`, "must be a list of model group names");
    } else if (groups !== null) {
      for (const [index, model] of models.entries()) {
        if (!groups.includes(model)) issues.add(`${path}.models[${index}]`, `unknown model group '${model}'`);
      }
    }
  }
  const key: VirtualKeySettings = {
    name: typeof name === "string" ? name : "",
    key: typeof secret === "string" ? secret : "",
    budgetUsd,
    budgetPeriod: period !== null && budgetPeriods.includes(period) ? period : null,
    rpm: optionalCount(input.rpm, `${path}.rpm`, issues),
    tpm: optionalCount(input.tpm, `${path}.tpm`, issues),
    models: Array.isArray(models) ? [...models] : null,
    expiresAt: expiry(input.expires_at, `${path}.expires_at`, issues),
  };
  return { key: issues.list.length === 0 ? key : null, issues: issues.list };
}

function checkBudgets(
  input: BudgetsInput | undefined,
  groups: readonly string[] | null,
  issues: Issues,
): Pick<SpendSettings, "maxUsdPerRequest" | "groupMaxUsdPerRequest" | "downRouteTo"> {
  const maxUsdPerRequest = optionalAmount(input?.max_usd_per_request, "budgets.max_usd_per_request", issues);
  const groupMaxUsdPerRequest: Record<string, number | null> = {};
  const downRouteTo: Record<string, string[]> = {};
  for (const [group, limits] of Object.entries(input?.groups ?? {})) {
    const path = `budgets.groups.${group}`;
    if (groups !== null && !groups.includes(group)) issues.add(path, `unknown model group '${group}'`);
    if (Object.hasOwn(limits, "max_usd_per_request"))
      groupMaxUsdPerRequest[group] = optionalAmount(
        limits.max_usd_per_request,
        `${path}.max_usd_per_request`,
        issues,
      );
    const cheaper = limits.down_route_to ?? null;
    if (cheaper === null) continue;
    for (const [index, name] of cheaper.entries()) {
      if (groups !== null && !groups.includes(name))
        issues.add(`${path}.down_route_to[${index}]`, `unknown model group '${name}'`);
      else if (name === group) issues.add(`${path}.down_route_to[${index}]`, "names the group itself");
    }
    downRouteTo[group] = [...cheaper];
  }
  return { maxUsdPerRequest, groupMaxUsdPerRequest, downRouteTo };
}

/**
 * Checks and compiles the spend blocks of a config: key names and secrets unique, budgets and limits
 * in range, periods known, `models` and `budgets.groups` naming existing groups, the admin key long
 * enough (`groups` null: the group names are unknown, references are not checked). Settings are
 * returned even with issues (the caller refuses the config when there are any).
 */
export function checkSpendConfig(
  input: SpendConfigInput,
  context: { groups: readonly string[] | null },
): { settings: SpendSettings; issues: SpendConfigIssue[] } {
  const issues = new Issues();
  const adminKey = input.server?.admin_key ?? null;
  if (adminKey !== null && adminKey.length < minimumKeyLength) {
    issues.add("server.admin_key", `must be at least ${minimumKeyLength} characters`);
  }
  const keys: VirtualKeySettings[] = [];
  const names = new Set<string>();
  const secrets = new Set<string>();
  for (const [index, entry] of (input.keys ?? []).entries()) {
    const checked = checkVirtualKey(entry, `keys[${index}]`, context.groups);
    for (const issue of checked.issues) issues.add(issue.path, issue.message);
    if (names.has(entry.name)) issues.add(`keys[${index}].name`, `'${entry.name}' is used by another key`);
    if (secrets.has(entry.key)) issues.add(`keys[${index}].key`, "the same secret is used by another key");
    if (adminKey !== null && entry.key === adminKey)
      issues.add(`keys[${index}].key`, "must differ from server.admin_key");
    names.add(entry.name);
    secrets.add(entry.key);
    if (checked.key) keys.push(checked.key);
  }
  const file = input.pricing?.file ?? null;
  if (file !== null && file.trim() === "") issues.add("pricing.file", "must be a file path");
  return {
    settings: { adminKey, pricingFile: file, ...checkBudgets(input.budgets, context.groups, issues), keys },
    issues: issues.list,
  };
}

/** The per-request limit of a group: its own when set (null included), else the global one. */
export function maxUsdPerRequestOf(
  settings: Pick<SpendSettings, "maxUsdPerRequest" | "groupMaxUsdPerRequest">,
  group: string,
): number | null {
  return Object.hasOwn(settings.groupMaxUsdPerRequest, group)
    ? (settings.groupMaxUsdPerRequest[group] ?? null)
    : settings.maxUsdPerRequest;
}
