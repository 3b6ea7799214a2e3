import type { ChatRequest, EmbeddingsRequest } from "../types/index.js";

/** Characters per token assumed by the quick estimate (English text and code average about 4). */
const charsPerToken = 4;
/** Tokens of overhead per message (role and separators). */
const perMessage = 4;

function textLength(content: unknown): number {
  if (typeof content === "string") return content.length;
  if (!Array.isArray(content)) return 0;
  let length = 0;
  for (const part of content) {
    if (typeof part !== "object" || part === null) continue;
    const text = (part as { text?: unknown }).text;
    if (typeof text === "string") length += text.length;
    else if ((part as { type?: unknown }).type === "image_url") length += 85 * charsPerToken;
  }
  return length;
}

/** Length of a value's JSON; 0 when it cannot be serialised (the request is refused when it is sent). */
function jsonLength(value: unknown): number {
  try {
    return JSON.stringify(value).length;
  } catch {
    return 0;
  }
}

/**
 * A fast estimate of a chat request's prompt tokens: message text / 4 plus a small per-message
 * overhead, tool call arguments and tool definitions included. Reconciled with the real usage
 * after the answer, so it only has to be roughly right.
 */
export function estimatePromptTokens(request: ChatRequest): number {
  let chars = 0;
  let messages = 0;
  for (const message of request.messages) {
    if (typeof message !== "object" || message === null) continue;
    messages += 1;
    const record = message as { content?: unknown; tool_calls?: unknown };
    chars += textLength(record.content);
    if (Array.isArray(record.tool_calls)) chars += jsonLength(record.tool_calls);
  }
  if (Array.isArray(request["tools"])) chars += jsonLength(request["tools"]);
  return Math.ceil(chars / charsPerToken) + perMessage * messages;
}

/** A request's token estimate: its prompt and the most output it may produce. */
export interface TokenEstimate {
  prompt: number;
  output: number;
}

const base64Marker = ";base64,";

/**
 * The same estimate from the request's JSON text, when the gateway has it: its length / 4, with
 * base64 data (inline images, files) counted as an image rather than by its size. Cheap (no walk of
 * the messages); the JSON syntax it counts too is corrected by the per-model calibration.
 */
export function estimatePromptTokensFromText(text: string): number {
  let chars = text.length;
  for (let at = text.indexOf(base64Marker); at !== -1; at = text.indexOf(base64Marker, at + 1)) {
    const end = text.indexOf('"', at);
    if (end === -1) break;
    chars -= end - at;
    chars += 85 * charsPerToken;
    at = end;
  }
  return Math.ceil(Math.max(0, chars) / charsPerToken);
}

/**
 * Tokens a chat request will be charged up front: prompt estimate plus the output it may produce.
 * With the request's JSON `text` the prompt is estimated from it (no walk of the messages).
 */
export function estimateRequestTokens(
  request: ChatRequest,
  defaultOutputTokens: number,
  text?: string,
): TokenEstimate {
  const output = request.max_completion_tokens ?? request.max_tokens ?? defaultOutputTokens;
  const choices = typeof request["n"] === "number" && request["n"] > 1 ? request["n"] : 1;
  const prompt = text === undefined ? estimatePromptTokens(request) : estimatePromptTokensFromText(text);
  return { prompt, output: output * choices };
}

/** Tokens of an embeddings request's input. */
export function estimateEmbeddingTokens(request: EmbeddingsRequest): TokenEstimate {
  const input = request.input;
  if (typeof input === "string") return { prompt: Math.ceil(input.length / charsPerToken), output: 0 };
  if (!Array.isArray(input)) return { prompt: 0, output: 0 };
  let tokens = 0;
  for (const item of input) {
    if (typeof item === "string") tokens += Math.ceil(item.length / charsPerToken);
    else tokens += Array.isArray(item) ? item.length : 1;
  }
  return { prompt: tokens, output: 0 };
}
