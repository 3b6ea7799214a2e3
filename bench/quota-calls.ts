/**
 * The HTTP calls of `npm run bench:quota`, over the global fetch: a caller asking a gateway node, and the
 * naive baseline asking a simulated key on the OpenAI or the Gemini wire. Callers never retry.
 */
import { MESSAGES } from "./quota-scenarios.js";

/** What one HTTP answer was: its status (0 when the connection failed) and whether it said when to retry. */
export interface Answer {
  readonly status: number;
  readonly retryAfter: boolean;
}

const TIMEOUT_MS = 30_000;

async function post(url: string, headers: Record<string, string>, body: unknown): Promise<Answer> {
  try {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    await response.arrayBuffer();
    return { status: response.status, retryAfter: response.headers.has("retry-after") };
  } catch {
    return { status: 0, retryAfter: false };
  }
}

/** A chat completion through a gateway node (`origin` without `/v1`). */
export function askGateway(origin: string, model: string, maxTokens: number): Promise<Answer> {
  return post(`${origin}/v1/chat/completions`, {}, { model, messages: MESSAGES, max_tokens: maxTokens });
}

/** A chat completion straight to a simulated key on the OpenAI wire (`url` ends with `/v1`). */
export function askOpenAiKey(url: string, key: string, model: string, maxTokens: number): Promise<Answer> {
  return post(
    `${url}/chat/completions`,
    { authorization: `Bearer ${key}` },
    { model, messages: MESSAGES, max_tokens: maxTokens },
  );
}

/** A generateContent call straight to a simulated key on the Gemini wire. */
export function askGeminiKey(origin: string, key: string, model: string, maxTokens: number): Promise<Answer> {
  const contents = MESSAGES.map((message) => ({ role: "user", parts: [{ text: message.content }] }));
  return post(
    `${origin}/v1beta/models/${model}:generateContent`,
    { "x-goog-api-key": key },
    { contents, generationConfig: { maxOutputTokens: maxTokens } },
  );
}
