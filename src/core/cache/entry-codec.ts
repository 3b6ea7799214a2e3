import type { CachedAnswer, CacheEntry } from "./answer.js";

/**
 * Binary form of a cache entry, the same in every store (binary-safe, exact size):
 *
 * | bytes | holds |
 * | --- | --- |
 * | 0–3 | magic `LXC1` |
 * | 4–7 | header length H (uint32, big-endian) |
 * | 8 … 8+H | header, UTF-8 JSON: `k` kind, `t` content type, `s` storedAt, `e` expiresAt, `d` deployment, `n` payload bytes, `c` chunk byte lengths |
 * | 8+H … | payload: the body bytes, or the chunks' UTF-8 bytes one after another |
 */
const magic = [0x4c, 0x58, 0x43, 0x31];
const headerStart = 8;
const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

interface Header {
  k: "body" | "stream";
  t?: string;
  s: number;
  e: number;
  d: string | null;
  n: number;
  c?: number[];
}

/** Encodes an entry. */
export function encodeEntry(entry: CacheEntry): Uint8Array {
  const { answer } = entry;
  let payload: Uint8Array[];
  const header: Header = {
    k: answer.kind,
    s: entry.storedAt,
    e: entry.expiresAt,
    d: entry.deploymentId,
    n: 0,
  };
  if (answer.kind === "body") {
    header.t = answer.contentType;
    payload = [answer.body];
  } else {
    payload = answer.chunks.map((chunk) => encoder.encode(chunk));
    header.c = payload.map((part) => part.byteLength);
  }
  for (const part of payload) header.n += part.byteLength;
  const headerBytes = encoder.encode(JSON.stringify(header));
  const size = headerStart + headerBytes.byteLength + header.n;
  const out = new Uint8Array(size);
  out.set(magic, 0);
  new DataView(out.buffer).setUint32(4, headerBytes.byteLength);
  out.set(headerBytes, headerStart);
  let offset = headerStart + headerBytes.byteLength;
  for (const part of payload) {
    out.set(part, offset);
    offset += part.byteLength;
  }
  return out;
}

function isHeader(value: unknown): value is Header {
  if (typeof value !== "object" || value === null) return false;
  const header = value as Record<string, unknown>;
  const kindOk =
    (header["k"] === "body" && typeof header["t"] === "string") ||
    (header["k"] === "stream" &&
      Array.isArray(header["c"]) &&
      header["c"].every((n) => Number.isInteger(n) && (n as number) >= 0));
  return (
    kindOk &&
    typeof header["s"] === "number" &&
    typeof header["e"] === "number" &&
    Number.isInteger(header["n"]) &&
    (header["d"] === null || typeof header["d"] === "string")
  );
}

/** Decodes an entry; null when the bytes are not one (wrong magic, truncated, malformed header). */
export function decodeEntry(bytes: Uint8Array): CacheEntry | null {
  if (bytes.byteLength < headerStart || magic.some((byte, index) => bytes[index] !== byte)) return null;
  const headerLength = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(4);
  const payloadStart = headerStart + headerLength;
  if (payloadStart > bytes.byteLength) return null;
  let header: unknown;
  try {
    header = JSON.parse(decoder.decode(bytes.subarray(headerStart, payloadStart)));
  } catch {
    return null;
  }
  if (!isHeader(header)) return null;
  const payload = bytes.subarray(payloadStart);
  if (payload.byteLength !== header.n) return null;
  let answer: CachedAnswer;
  if (header.k === "body") {
    answer = { kind: "body", contentType: header.t ?? "application/json", body: payload.slice() };
  } else {
    const lengths = header.c ?? [];
    if (lengths.reduce((sum, n) => sum + n, 0) !== payload.byteLength) return null;
    const chunks: string[] = [];
    let offset = 0;
    try {
      for (const length of lengths) {
        chunks.push(decoder.decode(payload.subarray(offset, offset + length)));
        offset += length;
      }
    } catch {
      return null;
    }
    answer = { kind: "stream", chunks };
  }
  return { answer, storedAt: header.s, expiresAt: header.e, deploymentId: header.d };
}
