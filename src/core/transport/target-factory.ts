import type { Dispatcher } from "undici";
import { presetOf } from "../../providers/presets.js";
import type { ProviderInstanceSpec, Target } from "../../types/index.js";
import { OpenAIHttpTarget } from "./openai-http-target.js";

/**
 * Makes one target per configured provider instance, keyed by instance id. Every type is reached
 * through its OpenAI-compatible surface (vendor presets are data); a missing base URL is a
 * configuration error caught earlier.
 */
export function createTargets(
  providers: readonly ProviderInstanceSpec[],
  dispatcher: Dispatcher,
): Map<string, Target> {
  const targets = new Map<string, Target>();
  for (const provider of providers) {
    const preset = presetOf(provider.type);
    const baseUrl = provider.baseUrl ?? preset.baseUrl;
    if (baseUrl === null)
      throw new Error(`provider '${provider.id}' (type ${provider.type}) needs a base_url`);
    targets.set(
      provider.id,
      new OpenAIHttpTarget({
        provider: provider.id,
        baseUrl,
        apiKey: provider.apiKey,
        preset,
        headers: provider.headers,
        azure: provider.azure,
        dispatcher,
      }),
    );
  }
  return targets;
}
