import { LlmuxError } from "../../errors/index.js";
import type { ProviderType } from "../../types/index.js";
import { isRecord } from "../../util/index.js";
import { flatPrice, type Price } from "./price.js";
import type { TableEntry } from "./price-table.js";

/**
 * A price file in ModelMuxer's format (`PRICE_TABLE_PATH`, `scripts/data/prices.json`), accepted as is:
 *
 * ```json
 * { "openai:gpt-4o": { "input_per_1k_usd": 2.5, "output_per_1k_usd": 10.0 } }
 * ```
 *
 * USD per 1 000 tokens. Keys are `provider:model`; the provider is a llmux provider type or
 * ModelMuxer's name for it (`google` for `gemini`). Other fields of an entry are ignored.
 */
export interface PriceFile {
  /** The file's name as given, for `llmux check`. */
  file: string;
  /** Prices by lowercased `provider:model`. */
  entries: ReadonlyMap<string, { entry: string; price: Price }>;
}

/** Names a price file may use for a provider type besides the type itself. */
const fileAliases: Partial<Record<ProviderType, readonly string[]>> = {
  gemini: ["google", "vertex"],
  xai: ["x-ai"],
  together: ["together_ai", "togetherai"],
};

function invalid(file: string, problems: readonly string[]): LlmuxError {
  const listed = problems.slice(0, 10).join("; ");
  const more = problems.length > 10 ? ` (and ${problems.length - 10} more)` : "";
  return new LlmuxError("config_invalid", `${file}: invalid price file: ${listed}${more}`, { status: 400 });
}

function rate(entry: Record<string, unknown>, field: string, key: string, problems: string[]): number | null {
  const value = entry[field];
  if (typeof value === "number" && Number.isFinite(value) && value >= 0) return value;
  problems.push(`"${key}".${field}: ${value === undefined ? "is required" : "must be a number >= 0"}`);
  return null;
}

/** Parses a ModelMuxer price file; throws a `config_invalid` error naming every bad entry. */
export function parsePriceFile(text: string, file: string): PriceFile {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw invalid(file, [`not JSON (${error instanceof Error ? error.message : String(error)})`]);
  }
  if (!isRecord(data)) throw invalid(file, ['expected an object of "provider:model" entries']);
  const problems: string[] = [];
  const entries = new Map<string, { entry: string; price: Price }>();
  for (const [key, value] of Object.entries(data)) {
    const colon = key.indexOf(":");
    if (colon <= 0 || colon === key.length - 1) {
      problems.push(`"${key}": the key must be "provider:model"`);
      continue;
    }
    if (!isRecord(value)) {
      problems.push(`"${key}": expected { "input_per_1k_usd": …, "output_per_1k_usd": … }`);
      continue;
    }
    const input = rate(value, "input_per_1k_usd", key, problems);
    const output = rate(value, "output_per_1k_usd", key, problems);
    if (input === null || output === null) continue;
    // Per 1k to per 1M: exact for decimal prices once rounded back to 12 significant digits.
    const perMillion = (perThousand: number) => Number((perThousand * 1000).toPrecision(12));
    entries.set(key.toLowerCase(), {
      entry: key,
      price: flatPrice({ input: perMillion(input), output: perMillion(output) }),
    });
  }
  if (problems.length > 0) throw invalid(file, problems);
  return { file, entries };
}

/** The file's entry for exactly this provider type and model name, or null. */
export function findInPriceFile(prices: PriceFile, type: ProviderType, model: string): TableEntry | null {
  for (const provider of [type, ...(fileAliases[type] ?? [])]) {
    const found = prices.entries.get(`${provider}:${model}`.toLowerCase());
    if (found) return found;
  }
  return null;
}
