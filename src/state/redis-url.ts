import { LlmuxError } from "../errors/index.js";

/** One Redis host. */
export interface RedisHost {
  host: string;
  port: number;
}

/** Credentials and transport shared by every connection kind. */
interface RedisAccess {
  username?: string;
  password?: string;
  /** `rediss…` schemes: connect over TLS. */
  tls: boolean;
}

/** Where the Redis state store connects, parsed from its URL. */
export type RedisTarget =
  | ({ kind: "standalone"; host: string; port: number; db: number } & RedisAccess)
  | ({ kind: "sentinel"; sentinels: RedisHost[]; name: string; db: number } & RedisAccess)
  | ({ kind: "cluster"; nodes: RedisHost[] } & RedisAccess);

const schemes: Record<string, { kind: RedisTarget["kind"]; tls: boolean; port: number }> = {
  redis: { kind: "standalone", tls: false, port: 6379 },
  rediss: { kind: "standalone", tls: true, port: 6379 },
  "redis-sentinel": { kind: "sentinel", tls: false, port: 26379 },
  "rediss-sentinel": { kind: "sentinel", tls: true, port: 26379 },
  "redis-cluster": { kind: "cluster", tls: false, port: 6379 },
  "rediss-cluster": { kind: "cluster", tls: true, port: 6379 },
};

const urlShape = /^([a-z-]+):\/\/(?:([^@/]*)@)?([^/?#]*)(\/[^?#]*)?$/i;

function invalid(scheme: string, why: string): LlmuxError {
  // Never echo the URL: it may hold a password.
  return new LlmuxError("config_invalid", `Invalid Redis URL (${scheme}://…): ${why}`, { status: 400 });
}

/**
 * Parses the store URL:
 * - `redis://[user:pass@]host:port[/db]`, `rediss://…` (TLS);
 * - `redis-sentinel://[user:pass@]host:port[,host:port…]/<masterName>[/db]` (credentials are the
 *   master's; `rediss-sentinel://` for TLS to the master);
 * - `redis-cluster://[user:pass@]host:port[,host:port…]` (`rediss-cluster://` for TLS).
 * Credentials without a colon are a password (like ioredis). Throws a `config_invalid` error.
 */
export function parseRedisUrl(url: string): RedisTarget {
  const match = urlShape.exec(url.trim());
  const scheme = match?.[1]?.toLowerCase() ?? "?";
  const known = schemes[scheme];
  if (!match || !known) {
    throw invalid(scheme, `expected ${Object.keys(schemes).join("://, ")}:// followed by host:port`);
  }
  const access = parseAccess(match[2], known.tls, scheme);
  const hosts = parseHosts(match[3] ?? "", known.port, scheme);
  const path = (match[4] ?? "").split("/").filter((part) => part !== "");
  const first = hosts[0];
  if (!first) throw invalid(scheme, "no host");
  switch (known.kind) {
    case "standalone":
      if (hosts.length > 1)
        throw invalid(scheme, "one host expected (use redis-cluster:// or redis-sentinel://)");
      if (path.length > 1) throw invalid(scheme, "the path may only hold the database number");
      return { kind: "standalone", ...first, db: parseDb(path[0], scheme), ...access };
    case "sentinel": {
      const name = path[0];
      if (name === undefined) throw invalid(scheme, "the master name is missing (…/<masterName>)");
      if (path.length > 2) throw invalid(scheme, "expected /<masterName>[/db]");
      return {
        kind: "sentinel",
        sentinels: hosts,
        name: decode(name, scheme),
        db: parseDb(path[1], scheme),
        ...access,
      };
    }
    case "cluster":
      if (path.length > 0) throw invalid(scheme, "a cluster has no database path");
      return { kind: "cluster", nodes: hosts, ...access };
  }
}

function parseAccess(auth: string | undefined, tls: boolean, scheme: string): RedisAccess {
  const access: RedisAccess = { tls };
  if (auth === undefined || auth === "") return access;
  const colon = auth.indexOf(":");
  const username = colon === -1 ? "" : decode(auth.slice(0, colon), scheme);
  const password = decode(colon === -1 ? auth : auth.slice(colon + 1), scheme);
  if (username !== "") access.username = username;
  if (password !== "") access.password = password;
  return access;
}

function parseHosts(list: string, defaultPort: number, scheme: string): RedisHost[] {
  return list.split(",").map((item) => {
    const match = /^(\[[0-9a-f:.]+\]|[^:[\]]+)(?::(\d+))?$/i.exec(item.trim());
    if (!match?.[1]) throw invalid(scheme, `bad host "${item}" (expected host:port)`);
    const port = match[2] === undefined ? defaultPort : Number(match[2]);
    if (!Number.isInteger(port) || port < 1 || port > 65_535) throw invalid(scheme, `bad port in "${item}"`);
    return { host: match[1].replace(/^\[(.*)\]$/, "$1"), port };
  });
}

function parseDb(part: string | undefined, scheme: string): number {
  if (part === undefined) return 0;
  if (!/^\d+$/.test(part)) throw invalid(scheme, `bad database number "${part}"`);
  return Number(part);
}

function decode(part: string, scheme: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw invalid(scheme, "bad percent-encoding");
  }
}

/** The target without credentials, for messages. */
export function describeTarget(target: RedisTarget): string {
  const tls = target.tls ? "s" : "";
  const list = (hosts: readonly RedisHost[]) =>
    hosts.map(({ host, port }) => `${host.includes(":") ? `[${host}]` : host}:${port}`).join(",");
  switch (target.kind) {
    case "standalone":
      return `redis${tls}://${list([target])}/${target.db}`;
    case "sentinel":
      return `redis${tls}-sentinel://${list(target.sentinels)}/${target.name}`;
    case "cluster":
      return `redis${tls}-cluster://${list(target.nodes)}`;
  }
}
