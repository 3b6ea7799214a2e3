import { createHash } from "node:crypto";

/** Request headers as a plain record (Node's `IncomingHttpHeaders`, or any name → value map). */
export type RequestHeaders = Readonly<Record<string, string | readonly string[] | undefined>>;

/** Where a session key came from, most specific first. */
export type AffinitySource =
  "claude-code-session" | "prompt-cache-key" | "user" | "session-header" | "prompt-prefix";

/** The session a request belongs to, for sending it where its prompt is already cached. */
export interface AffinityKey {
  /** 32 hex characters: a hash of the group, the source and the value (raw ids never reach a store). */
  key: string;
  source: AffinitySource;
}

/** How much of the system prompt and of the first user message is hashed (a cache prefix is what matters). */
export const prefixChars = 8_192;

function header(headers: RequestHeaders, name: string): string | null {
  let value = headers[name];
  if (value === undefined) {
    for (const [key, candidate] of Object.entries(headers)) if (key.toLowerCase() === name) value = candidate;
  }
  const first = typeof value === "string" ? value : value?.[0];
  const trimmed = first?.trim() ?? "";
  return trimmed === "" ? null : trimmed;
}

function text(value: unknown): string | null {
  return typeof value === "string" && value.trim() !== "" ? value.trim() : null;
}

/** The text of a content (a string, or parts with `text`), the first `prefixChars` characters. */
function contentText(content: unknown): string {
  if (typeof content === "string") return content.slice(0, prefixChars);
  if (!Array.isArray(content)) return "";
  let out = "";
  for (const part of content) {
    if (out.length >= prefixChars) break;
    if (typeof part === "object" && part !== null && typeof (part as { text?: unknown }).text === "string") {
      out += `${(part as { text: string }).text}\n`;
    }
  }
  return out.slice(0, prefixChars);
}

type Message = { role?: unknown; content?: unknown };

/**
 * The system prompt and first user message of a chat (`messages` with system/developer roles), an
 * Anthropic Messages body (`system` + `messages`) or a Responses body (`instructions` + `input`).
 */
function promptPrefix(body: Readonly<Record<string, unknown>>): string | null {
  let system = contentText(body["system"]) + contentText(body["instructions"]);
  let firstUser: string | null = null;
  const input = body["input"];
  if (typeof input === "string") firstUser = input.slice(0, prefixChars);
  const messages = Array.isArray(body["messages"]) ? body["messages"] : Array.isArray(input) ? input : [];
  for (const message of messages as Message[]) {
    if (typeof message !== "object" || message === null) continue;
    if (message.role === "system" || message.role === "developer") system += contentText(message.content);
    else if (message.role === "user" && firstUser === null) firstUser = contentText(message.content);
    if (firstUser !== null && system.length >= prefixChars) break;
  }
  if (firstUser === null && system === "") return null;
  return JSON.stringify([system.slice(0, prefixChars), firstUser ?? ""]);
}

function hashed(group: string, source: AffinitySource, value: string): AffinityKey {
  const key = createHash("sha256")
    .update(JSON.stringify([group, source, value]))
    .digest("hex")
    .slice(0, 32);
  return { key, source };
}

/**
 * The session key of a request to a model group, from the most specific signal present: the
 * `X-Claude-Code-Session-Id` header, the body's `prompt_cache_key` (Responses, Codex), its `user` (or
 * Anthropic's `metadata.user_id`), an `x-session-id` header (or Codex's `session-id` / `session_id`), else a hash of the system prompt and the
 * first user message (their first 8 K characters each). Null when the request has none of these.
 * Pure; works on OpenAI chat, Anthropic Messages and Responses bodies.
 */
export function affinityKey(
  group: string,
  headers: RequestHeaders,
  body: Readonly<Record<string, unknown>>,
): AffinityKey | null {
  const claudeCode = header(headers, "x-claude-code-session-id");
  if (claudeCode) return hashed(group, "claude-code-session", claudeCode);
  const cacheKey = text(body["prompt_cache_key"]);
  if (cacheKey) return hashed(group, "prompt-cache-key", cacheKey);
  const metadata = body["metadata"];
  const metadataUser =
    typeof metadata === "object" && metadata !== null
      ? text((metadata as { user_id?: unknown }).user_id)
      : null;
  const user = text(body["user"]) ?? metadataUser;
  if (user) return hashed(group, "user", user);
  const session =
    header(headers, "x-session-id") ?? header(headers, "session-id") ?? header(headers, "session_id");
  if (session) return hashed(group, "session-header", session);
  const prefix = promptPrefix(body);
  return prefix === null ? null : hashed(group, "prompt-prefix", prefix);
}
