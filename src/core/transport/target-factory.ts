import type { Dispatcher } from "undici";
import { presetOf } from "../../providers/presets.js";
import type { ProviderInstanceSpec, Target } from "../../types/index.js";
import { AnthropicHttpTarget } from "./anthropic-http-target.js";
import { GeminiHttpTarget } from "./gemini-http-target.js";
import { OpenAIHttpTarget } from "./openai-http-target.js";

/**
 * Makes one target per configured provider instance, keyed by instance id: `anthropic` and `gemini`
 * speak their native APIs through translating targets; every other type is OpenAI-compatible and
 * differs only in data (presets). A missing base URL is a configuration error caught earlier.
 */
export function createTargets(
  providers: readonly ProviderInstanceSpec[],
  dispatcher: Dispatcher,
): Map<string, Target> {
  const targets = new Map<string, Target>();
  for (const provider of providers) {
    if (provider.type === "anthropic" || provider.type === "gemini") {
      const native = {
        provider: provider.id,
        apiKey: provider.apiKey,
        baseUrl: provider.baseUrl,
        headers: provider.headers,
        dispatcher,
        ...(provider.dropUnsupportedBetas === true ? { dropUnsupportedBetas: true } : {}),
      };
      targets.set(
        provider.id,
        provider.type === "anthropic" ? new AnthropicHttpTarget(native) : new GeminiHttpTarget(native),
      );
      continue;
    }
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
