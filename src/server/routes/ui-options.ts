import type { DashboardCollector } from "../../observability/index.js";
import type { UiAuth } from "./ui-auth.js";

declare module "fastify" {
  interface FastifyInstance {
    /** Who may open the dashboard; `replace()` swaps its keys on a config reload. */
    llmuxUi: UiAuth;
  }
}

/** Spend per virtual key and per model group, once spend control is wired (any JSON the page can list). */
export interface DashboardSpend {
  keys: ReadonlyArray<{ name: string; usd: number; budgetUsd?: number | null }>;
  groups: ReadonlyArray<{ name: string; usd: number }>;
}

/** How the web dashboard at `/ui` is served. */
export interface DashboardServerOptions {
  /**
   * What the dashboard charts; the server subscribes it to the engine's events (and unsubscribes at
   * close). Default: a new collector (10 s buckets over 15 minutes).
   */
  collector?: DashboardCollector | undefined;
  /** The admin key (`server.admin_key`): opens the dashboard as a gateway key does. */
  adminKey?: string | null | undefined;
  /** How often quota use is sampled into the charts, ms. Default 5 000. */
  quotaSampleMs?: number | undefined;
  /** How long a login lasts, ms. Default 12 hours. */
  sessionMs?: number | undefined;
  /** Spend per key and group; absent or null until spend control is wired. */
  spend?: (() => DashboardSpend | null | Promise<DashboardSpend | null>) | undefined;
}
