import { isRecord } from "../../util/index.js";

/** OpenAI `TopLogprob`. */
interface TopLogprob {
  token: string;
  logprob: number;
  bytes: number[] | null;
}

/** OpenAI `ChatCompletionTokenLogprob`. */
interface TokenLogprob extends TopLogprob {
  top_logprobs: TopLogprob[];
}

/** The OpenAI `choices[].logprobs` object. */
export interface OpenAILogprobs {
  content: TokenLogprob[];
  refusal: null;
}

const encoder = new TextEncoder();

function topLogprob(candidate: unknown): TopLogprob | null {
  if (!isRecord(candidate) || typeof candidate["token"] !== "string") return null;
  const logprob = candidate["logProbability"];
  return {
    token: candidate["token"],
    logprob: typeof logprob === "number" ? logprob : 0,
    bytes: Array.from(encoder.encode(candidate["token"])),
  };
}

/**
 * Gemini `logprobsResult` (sent when the request set `responseLogprobs`) → OpenAI logprobs:
 * `chosenCandidates[i]` is token i (`logProbability` → `logprob`, `bytes` = its UTF-8 bytes) and
 * `topCandidates[i].candidates` its `top_logprobs`. Null when there is no result.
 */
export function geminiLogprobs(logprobsResult: unknown): OpenAILogprobs | null {
  if (!isRecord(logprobsResult) || !Array.isArray(logprobsResult["chosenCandidates"])) return null;
  const tops = Array.isArray(logprobsResult["topCandidates"]) ? logprobsResult["topCandidates"] : [];
  const content = logprobsResult["chosenCandidates"].flatMap((chosen, position): TokenLogprob[] => {
    const token = topLogprob(chosen);
    if (token === null) return [];
    const top = tops[position];
    const alternatives = isRecord(top) && Array.isArray(top["candidates"]) ? top["candidates"] : [];
    return [{ ...token, top_logprobs: alternatives.flatMap((item) => topLogprob(item) ?? []) }];
  });
  return { content, refusal: null };
}
