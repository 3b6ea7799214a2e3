import { createHash, randomBytes } from "node:crypto";

/** What every generated key starts with (so leaked keys are recognisable by secret scanners). */
export const keyPrefix = "llmux-";

/** SHA-256 of a presented key, hex: what the store keeps and looks up. */
export function hashKey(key: string): string {
  return createHash("sha256").update(key, "utf8").digest("hex");
}

/** A new secret key: `llmux-` and 32 random bytes in base64url (256 bits). */
export function generateKey(): string {
  return `${keyPrefix}${randomBytes(32).toString("base64url")}`;
}

/** The last 4 characters, shown in listings so people can tell keys apart. */
export function keyHint(key: string): string {
  return key.length <= 8 ? "…" : `…${key.slice(-4)}`;
}

/** A new id for a key made through the admin API. */
export function generateKeyId(): string {
  return `vk_${randomBytes(8).toString("hex")}`;
}

/** The id of a key from the config: stable across restarts, nodes and rotations of its secret. */
export function configKeyId(name: string): string {
  return `cfg:${name}`;
}

export { keyNamePattern } from "../../types/index.js";
