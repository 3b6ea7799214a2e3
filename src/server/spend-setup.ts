import type { Registry } from "prom-client";
import type { GatewayConfig } from "../config/types.js";
import type { Engine } from "../core/index.js";
import { loadPricing, SpendService } from "../core/spend/index.js";
import { SecretRedactor } from "../errors/index.js";
import { createRedisSpendStore, openSqliteSpendStore, type SpendStore } from "../state/spend-stores.js";
import type { AdminServerOptions } from "./routes/admin.js";
import { SpendControl } from "./spend-control.js";

/** Spend control of a running gateway: what the server is given and what to close at shutdown. */
export interface OpenedSpend {
  control: SpendControl;
  /** The key and spend ledger; null without a spend store (no virtual keys, no admin key). */
  service: SpendService | null;
  admin: AdminServerOptions | undefined;
  /** The admin key and the config's virtual keys, to mask by value everywhere. */
  secrets: SecretRedactor;
  close(): Promise<void>;
}

/** True when the config asks for the spend store (virtual keys or the admin API). */
export function needsSpendStore(config: GatewayConfig): boolean {
  return config.spend.keys.length > 0 || config.spend.adminKey !== null;
}

/**
 * Opens prices (the bundled table and `pricing.file`), the spend store when keys or the admin key
 * are configured (Redis when `state.redis` is set — limits shared by every node — else SQLite at
 * `state.spend_db`), syncs the config's keys, and builds the `SpendControl` the routes use.
 */
export async function openSpend(
  config: GatewayConfig,
  engine: Engine,
  registry: Registry | null,
  onError: (error: unknown) => void = () => {},
): Promise<OpenedSpend> {
  const pricing = await loadPricing({ file: config.spend.pricingFile });
  let store: SpendStore | null = null;
  if (needsSpendStore(config)) {
    if (config.state.redis) {
      const redis = createRedisSpendStore({ url: config.state.redis.url, prefix: config.state.redis.prefix });
      // Synced with Redis before the first request (degraded: decided on this node's ledger until it is back).
      await redis.ready();
      store = redis;
    } else store = await openSqliteSpendStore({ path: config.spend.database, onError });
  }
  const service = store ? new SpendService({ store }) : null;
  if (service) await service.syncConfigKeys(config.spend.keys);
  const control = new SpendControl({
    spend: config.spend,
    providers: config.providers,
    groups: config.groups,
    pricing,
    engine,
    service,
    registry,
  });
  const adminKey = config.spend.adminKey;
  return {
    control,
    service,
    admin: adminKey !== null && service !== null ? { adminKey, service, spend: control } : undefined,
    secrets: new SecretRedactor([
      ...(adminKey ? [adminKey] : []),
      ...config.spend.keys.map((key) => key.key),
    ]),
    close: async () => {
      control.close();
      await service?.close();
    },
  };
}
