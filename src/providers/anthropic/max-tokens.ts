/**
 * The largest `max_tokens` each Claude family accepts (its maximum output), most specific name
 * first; matched as a substring so dated ids (`claude-3-5-sonnet-20241022`), aliases
 * (`claude-sonnet-4-0`) and cloud ids (`us.anthropic.claude-3-7-sonnet-20250219-v1:0`) all hit.
 * A newer model of a listed family (say `claude-opus-4-7`) falls back to its family's row, which
 * is never more than the model accepts.
 */
const maxOutputTokens: ReadonlyArray<readonly [string, number]> = [
  ["claude-opus-4-6", 128000],
  ["claude-opus-4-5", 64000],
  ["claude-opus-4-1", 32000],
  ["claude-opus-4", 32000],
  ["claude-sonnet-4", 64000],
  ["claude-haiku-4", 64000],
  ["claude-3-7-sonnet", 64000],
  ["claude-3-5-sonnet", 8192],
  ["claude-3-5-haiku", 8192],
  ["claude-3-opus", 4096],
  ["claude-3-sonnet", 4096],
  ["claude-3-haiku", 4096],
];

/** `max_tokens` for a model the table does not know: 4096, which every Claude model accepts. */
const unknownModelMaxTokens = 4096;

/**
 * The `max_tokens` to send when the OpenAI request gave none (Anthropic requires it): the model's
 * maximum output — `claude-opus-4`/`4-1`: 32000, `claude-opus-4-5`: 64000, `claude-opus-4-6`:
 * 128000, `claude-sonnet-4*`, `claude-haiku-4*`, `claude-3-7-sonnet`: 64000, `claude-3-5-*`: 8192,
 * `claude-3-opus`/`sonnet`/`haiku`: 4096; anything else 4096.
 */
export function defaultMaxTokens(model: string): number {
  const name = model.toLowerCase();
  for (const [pattern, tokens] of maxOutputTokens) if (name.includes(pattern)) return tokens;
  return unknownModelMaxTokens;
}
