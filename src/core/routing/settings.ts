import { defaultAffinityTtlMs } from "../affinity/index.js";
import { defaultCacheSettings, type CacheSettings } from "../cache/index.js";
import type { RouteRule } from "./rules.js";

/**
 * The resolved smart-routing settings of a gateway: the response cache, the route rules, the intent
 * headers and prompt-cache affinity. The config compiles to this (`cache:`, `routes:`,
 * `routing.affinity`, `routing.metadata_in_body`, `routing.intent_headers`, `models.<g>.cache`).
 */
export interface SmartRoutingSettings {
  cache: CacheSettings;
  /** Groups that say `cache: true | false` themselves (else `cache.enabled` decides). */
  groupCache: Readonly<Record<string, boolean>>;
  /** Ordered, first match wins. */
  routes: readonly RouteRule[];
  /**
   * Put `x-llmux-intent` / `x-llmux-intent-confidence` on every answer (runs the classifier on every
   * request). Default: on when `routes` or `metadata_in_body` are configured, else off (nothing to pay).
   */
  intentHeaders: boolean;
  /** Add ModelMuxer's `router_metadata` object to non-streaming answers. Default false. */
  metadataInBody: boolean;
  /** Keep a conversation on the deployment that served it (holding its prompt cache). */
  affinity: { enabled: boolean; ttlMs: number };
}

/** The defaults: no cache, no rules, no intent headers, affinity on with a 5 min TTL. */
export const defaultSmartRouting: Readonly<SmartRoutingSettings> = Object.freeze({
  cache: defaultCacheSettings,
  groupCache: Object.freeze({}),
  routes: Object.freeze([]),
  intentHeaders: false,
  metadataInBody: false,
  affinity: Object.freeze({ enabled: true, ttlMs: defaultAffinityTtlMs }),
});
