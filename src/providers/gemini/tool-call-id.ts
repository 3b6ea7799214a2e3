/**
 * The OpenAI tool-call ids this provider mints for Gemini function calls. Gemini needs two things
 * back in the next request that OpenAI's message format has no field for: the `functionCall.id`
 * (when Gemini sent one) and the `thoughtSignature` of the part. Both ride inside the id:
 *
 * ```
 * call_<token>[__gid_<hex of the UTF-8 functionCall.id>][__ts_<thoughtSignature as base64url, unpadded>]
 * ```
 *
 * - `<token>` is the caller's `newId()` with every character outside `[A-Za-z0-9-]` removed, so it
 *   holds no `_` and the `__gid_` / `__ts_` markers cannot be confused with it;
 * - the Gemini id is hex (no `_`), the signature is last, so parsing is unambiguous;
 * - the whole id matches `^[A-Za-z0-9_-]+$`, which Anthropic (`tool_use.id`) and OpenAI accept.
 *
 * The signature is `bytes` in protobuf, i.e. standard base64 in JSON; the id carries it as
 * base64url (`+`→`-`, `/`→`_`, no `=`) and it is restored to padded standard base64, which is the
 * same text Gemini sent (Gemini sends canonical padded base64; a base64url or unpadded signature
 * would come back as the same bytes in canonical form). A signature that is not base64 text is not
 * encoded. Ids that do not match the format (minted by the client or another provider) carry
 * nothing: their calls go to Gemini without id or signature.
 */

const idPattern = /^call_([A-Za-z0-9-]*)(?:__gid_((?:[0-9a-f]{2})+))?(?:__ts_([A-Za-z0-9_-]+))?$/;
const base64Text = /^[A-Za-z0-9+/_-]+={0,2}$/;

/** What a minted tool-call id carries back to Gemini. */
export interface GeminiToolCallRef {
  /** Gemini's `functionCall.id`, when it sent one. */
  geminiId: string | null;
  /** The `thoughtSignature` of the `functionCall` part, as Gemini sent it. */
  thoughtSignature: string | null;
}

function toHex(text: string): string {
  return Array.from(new TextEncoder().encode(text), (byte) => byte.toString(16).padStart(2, "0")).join("");
}

function fromHex(hex: string): string | null {
  const bytes = new Uint8Array(hex.length / 2);
  for (let index = 0; index < bytes.length; index += 1) {
    bytes[index] = Number.parseInt(hex.slice(index * 2, index * 2 + 2), 16);
  }
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
}

function toBase64Url(base64: string): string {
  return base64.replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function fromBase64Url(base64url: string): string {
  const base64 = base64url.replace(/-/g, "+").replace(/_/g, "/");
  return base64 + "=".repeat((4 - (base64.length % 4)) % 4);
}

/** Mints the OpenAI id of one Gemini function call (format above). */
export function mintToolCallId(
  token: string,
  geminiId: string | null | undefined,
  thoughtSignature: string | null | undefined,
): string {
  let id = `call_${token.replace(/[^A-Za-z0-9-]/g, "")}`;
  if (typeof geminiId === "string" && geminiId !== "") id += `__gid_${toHex(geminiId)}`;
  if (typeof thoughtSignature === "string" && base64Text.test(thoughtSignature)) {
    const encoded = toBase64Url(thoughtSignature);
    if (encoded !== "") id += `__ts_${encoded}`;
  }
  return id;
}

/** Reads what a tool-call id minted by `mintToolCallId` carries; other ids carry nothing. */
export function readToolCallId(id: string): GeminiToolCallRef {
  const match = idPattern.exec(id);
  if (match === null) return { geminiId: null, thoughtSignature: null };
  const hex = match[2];
  const signature = match[3];
  return {
    geminiId: hex === undefined ? null : fromHex(hex),
    thoughtSignature: signature === undefined ? null : fromBase64Url(signature),
  };
}
