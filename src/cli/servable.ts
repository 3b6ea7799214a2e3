import type { GatewayConfig } from "../config/index.js";

/**
 * Why a config cannot be served, or null when it can: a gateway with no model group would start
 * and answer every request with 404, so `serve` (and `check`) refuse it instead.
 */
export function unservableReason(config: GatewayConfig): string | null {
  if (config.groups.length > 0) return null;
  if (config.providers.length === 0)
    return "no models to serve: no usable provider instances (the file lists none, or each one was skipped: see the warnings). Add providers with api_key and models (see examples/llmux.yaml), or try `llmux demo`";
  return "no models to serve: no provider lists models and there is no models: section (see examples/llmux.yaml)";
}
