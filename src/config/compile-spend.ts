import { dirname, resolve } from "node:path";
import type { GroupSpec } from "../types/index.js";
import type { CompileContext } from "./context.js";
import type { PathSegment } from "./errors.js";
import type { RawConfig } from "./schema.js";
import { checkSpendConfig } from "./spend-check.js";
import type { GatewaySpendConfig, SpendConfigIssue, VirtualKeyInput } from "./spend-types.js";

/** The SQLite file of keys and spend when `state.spend_db` is not set (in the working directory). */
export const defaultSpendDatabase = "llmux-spend.db";

/** Nothing configured: no admin key, no price file, no limits, no keys. */
export function noSpendConfig(): GatewaySpendConfig {
  return {
    adminKey: null,
    pricingFile: null,
    maxUsdPerRequest: null,
    groupMaxUsdPerRequest: {},
    downRouteTo: {},
    keys: [],
    database: defaultSpendDatabase,
  };
}

const budgetGroupField = /^budgets\.groups\.(.+)\.(max_usd_per_request|down_route_to)(?:\[(\d+)\])?$/;

/** `keys[0].models[1]`, `budgets.groups.gpt-4.1.max_usd_per_request` → path segments (group names may hold dots). */
export function spendIssuePath(path: string): PathSegment[] {
  const field = budgetGroupField.exec(path);
  if (field?.[1] && field[2]) {
    const segments: PathSegment[] = ["budgets", "groups", field[1], field[2]];
    return field[3] === undefined ? segments : [...segments, Number(field[3])];
  }
  if (path.startsWith("budgets.groups.")) return ["budgets", "groups", path.slice("budgets.groups.".length)];
  const segments: PathSegment[] = [];
  for (const part of path.split(".")) {
    const match = /^([^[]+)((?:\[\d+\])*)$/.exec(part);
    if (!match?.[1]) {
      segments.push(part);
      continue;
    }
    segments.push(match[1]);
    for (const index of match[2]?.matchAll(/\[(\d+)\]/g) ?? []) segments.push(Number(index[1]));
  }
  return segments;
}

/** The config's keys as `checkSpendConfig` reads them (a missing `key` is "", reported as required). */
function keyInputs(raw: RawConfig): VirtualKeyInput[] {
  return (raw.keys ?? []).map((entry) => ({ ...entry, key: entry.key ?? "" }));
}

/**
 * Compiles spend control (`server.admin_key`, `pricing`, `budgets`, `keys`, `state.spend_db`):
 * references to groups are checked against the compiled groups (skipped when the `models` section
 * failed: `groups` null), problems are reported with their field paths, and `pricing.file` is
 * resolved against the config file's folder.
 */
export function compileSpend(
  raw: RawConfig,
  groups: readonly GroupSpec[] | null,
  file: string,
  context: CompileContext,
): GatewaySpendConfig {
  const adminKey = raw.server?.admin_key?.trim() ?? "";
  const { settings, issues } = checkSpendConfig(
    {
      server: { admin_key: adminKey === "" ? null : adminKey },
      pricing: { file: raw.pricing?.file ?? null },
      ...(raw.budgets ? { budgets: raw.budgets } : {}),
      keys: keyInputs(raw),
    },
    { groups: groups === null ? null : groups.map((group) => group.name) },
  );
  for (const issue of issues as SpendConfigIssue[])
    context.issues.push({ path: spendIssuePath(issue.path), message: issue.message });
  if (settings.keys.length === 0 && settings.adminKey === null && raw.state?.spend_db !== undefined) {
    context.warnings.push({
      path: ["state", "spend_db"],
      message: "no keys and no server.admin_key: the spend database is not used",
    });
  }
  return {
    ...settings,
    pricingFile: settings.pricingFile === null ? null : resolve(dirname(file), settings.pricingFile),
    database: raw.state?.spend_db ?? defaultSpendDatabase,
  };
}
