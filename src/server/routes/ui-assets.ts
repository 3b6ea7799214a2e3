import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import type { FastifyReply, FastifyRequest } from "fastify";

/** One static file of the dashboard, read and compressed once. */
export interface UiAsset {
  readonly body: Buffer;
  readonly gzipped: Buffer;
  readonly type: string;
  readonly etag: string;
}

const types: Readonly<Record<string, string>> = {
  html: "text/html; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  css: "text/css; charset=utf-8",
  svg: "image/svg+xml",
};

/** The files of `src/server/ui/` (copied next to the build in `dist/src/server/ui/`). */
export const uiAssetNames = ["index.html", "login.html", "app.js", "charts.js", "app.css"] as const;
export type UiAssetName = (typeof uiAssetNames)[number];

/** The folder the dashboard's files ship in, next to this module's folder. */
export const uiAssetFolder = new URL("../ui/", import.meta.url);

/** Reads every dashboard file (once, when the server is built; never at import time). */
export function loadUiAssets(folder: URL = uiAssetFolder): ReadonlyMap<UiAssetName, UiAsset> {
  const assets = new Map<UiAssetName, UiAsset>();
  for (const name of uiAssetNames) {
    const body = readFileSync(new URL(name, folder));
    const extension = name.slice(name.lastIndexOf(".") + 1);
    assets.set(name, {
      body,
      gzipped: gzipSync(body, { level: 9 }),
      type: types[extension] ?? "application/octet-stream",
      etag: `"${createHash("sha256").update(body).digest("base64url").slice(0, 16)}"`,
    });
  }
  return assets;
}

/** True when the client takes gzip. */
export function acceptsGzip(request: FastifyRequest): boolean {
  const accept = request.headers["accept-encoding"];
  return typeof accept === "string" && /\bgzip\b/.test(accept);
}

/** Headers every dashboard answer carries: no framing, no sniffing, scripts and styles from /ui only. */
export function securityHeaders(reply: FastifyReply): FastifyReply {
  return reply.headers({
    "content-security-policy":
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
  });
}

/** Sends a dashboard file (304 when the client has it, gzipped when it takes gzip). */
export function sendAsset(
  request: FastifyRequest,
  reply: FastifyReply,
  asset: UiAsset,
  status = 200,
): FastifyReply {
  securityHeaders(reply).header("etag", asset.etag).header("vary", "accept-encoding");
  // Pages depend on who asks (the login page or the dashboard): never cached; scripts and styles are.
  reply.header("cache-control", asset.type.startsWith("text/html") ? "no-store" : "no-cache");
  if (status === 200 && request.headers["if-none-match"] === asset.etag) return reply.code(304).send();
  reply.code(status).type(asset.type);
  if (acceptsGzip(request)) return reply.header("content-encoding", "gzip").send(asset.gzipped);
  return reply.send(asset.body);
}

/** Sends JSON text, gzipped when the client takes gzip and it is worth it. */
export function sendJsonText(request: FastifyRequest, reply: FastifyReply, text: string): FastifyReply {
  securityHeaders(reply).header("cache-control", "no-store").header("vary", "accept-encoding");
  reply.type("application/json; charset=utf-8");
  if (text.length > 1024 && acceptsGzip(request))
    return reply.header("content-encoding", "gzip").send(gzipSync(text));
  return reply.send(text);
}
