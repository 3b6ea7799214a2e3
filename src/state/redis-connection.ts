import type { Cluster, Redis } from "ioredis";
import { scripts, type ScriptedClient } from "./redis-scripts.js";
import type { RedisTarget } from "./redis-url.js";

/** What the store hears from its connections. */
export interface ConnectionEvents {
  /** The command connection is (again) ready. */
  ready(): void;
  /** The command connection is lost or cannot be made. Called repeatedly while it stays down. */
  down(reason: string): void;
  /** The subscriber (re)subscribed (broadcasts may have been missed meanwhile). */
  subscribed(): void;
  message(text: string): void;
}

export interface ConnectionSettings {
  channel: string;
  connectTimeoutMs: number;
  commandTimeoutMs: number;
}

/** The two ioredis connections of one store: commands (with the scripts defined) and pub/sub. */
export interface RedisConnection {
  readonly scripted: ScriptedClient;
  /** Whether commands can be sent now (they fail fast otherwise: no offline queue). */
  isReady(): boolean;
  /** Sends the commands in one pipelined round trip; rejects if any failed. */
  batch(commands: readonly (readonly string[])[]): Promise<unknown[]>;
  /** Sends one command. */
  call(command: readonly string[]): Promise<unknown>;
  /** Deletes every key under the prefix (SCAN + UNLINK on each master). */
  deleteAll(prefix: string): Promise<void>;
  close(): Promise<void>;
}

/** Reconnect quickly but not in a busy loop: 100 ms, 200 ms, … up to 2 s between tries. */
const retryStrategy = (times: number): number => Math.min(100 * times, 2_000);

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Opens the connections (loading ioredis on first use, so the memory store never pays for it). */
export async function openConnection(
  target: RedisTarget,
  settings: ConnectionSettings,
  events: ConnectionEvents,
): Promise<RedisConnection> {
  const ioredis = await import("ioredis");
  const access = {
    connectTimeout: settings.connectTimeoutMs,
    commandTimeout: settings.commandTimeoutMs,
    maxRetriesPerRequest: 0,
    connectionName: "llmux",
    ...(target.username === undefined ? {} : { username: target.username }),
    ...(target.password === undefined ? {} : { password: target.password }),
    ...(target.tls ? { tls: {} } : {}),
  };
  // Commands fail fast while disconnected (no offline queue, no retries) and the store decides locally;
  // READONLY (a replica after failover) reconnects to find the new master. Auto-pipelining: the
  // commands of one event-loop turn (the take/observe scripts of concurrent requests) go out in one write.
  const resilient = {
    enableOfflineQueue: false,
    enableAutoPipelining: true,
    reconnectOnError: (e: Error) => e.message.startsWith("READONLY"),
  };
  let client: Redis | Cluster;
  let subscriber: Redis | Cluster;
  if (target.kind === "cluster") {
    client = new ioredis.Cluster(target.nodes, {
      ...resilient,
      clusterRetryStrategy: retryStrategy,
      redisOptions: access,
    });
    subscriber = client.duplicate(undefined, {
      enableOfflineQueue: true,
      enableAutoPipelining: false,
      redisOptions: { ...access, maxRetriesPerRequest: null, commandTimeout: undefined },
    });
  } else {
    const where =
      target.kind === "standalone"
        ? { host: target.host, port: target.port, db: target.db }
        : {
            sentinels: target.sentinels,
            name: target.name,
            db: target.db,
            ...(target.tls ? { enableTLSForSentinelMode: true, sentinelTLS: {} } : {}),
          };
    client = new ioredis.Redis({ ...access, ...where, ...resilient, retryStrategy });
    // The subscriber waits for its connection (offline queue) so SUBSCRIBE survives start-up and outages.
    subscriber = client.duplicate({
      enableOfflineQueue: true,
      enableAutoPipelining: false,
      maxRetriesPerRequest: null,
      commandTimeout: undefined,
    });
  }
  for (const [name, definition] of Object.entries(scripts)) client.defineCommand(name, definition);
  watch(client, subscriber, settings, events);
  const cluster = target.kind === "cluster" ? (client as Cluster) : null;
  return {
    scripted: client as unknown as ScriptedClient,
    isReady: () => client.status === "ready",
    batch: (commands) => batch(client, cluster !== null, commands),
    call: ([name, ...args]) => client.call(name ?? "PING", ...args),
    deleteAll: (prefix) => deleteAll(cluster ? cluster.nodes("master") : [client as Redis], prefix),
    close: () => Promise.all([quit(client), quit(subscriber)]).then(() => undefined),
  };
}

function watch(
  client: Redis | Cluster,
  subscriber: Redis | Cluster,
  settings: ConnectionSettings,
  events: ConnectionEvents,
): void {
  let lastError = "connection closed";
  client.on("ready", () => events.ready());
  client.on("error", (error: unknown) => {
    lastError = describe(error);
    if (client.status !== "ready") events.down(lastError);
  });
  client.on("close", () => events.down(lastError));
  client.on("end", () => events.down("connection ended"));
  // The subscriber's errors are the command connection's too (same server); they must not go unheard.
  subscriber.on("error", () => {});
  subscriber.on("message", (channel: string, message: string) => {
    if (channel === settings.channel) events.message(message);
  });
  // First subscription: its reply. Later ones (ioredis resubscribes after a reconnect): `ready`.
  // A refused SUBSCRIBE (ACL) still counts: the periodic sync then carries every change.
  const first = subscriber.subscribe(settings.channel).then(
    () => events.subscribed(),
    () => events.subscribed(),
  );
  void first.then(() => subscriber.on("ready", () => events.subscribed()));
}

async function batch(
  client: Redis | Cluster,
  isCluster: boolean,
  commands: readonly (readonly string[])[],
): Promise<unknown[]> {
  if (commands.length === 0) return [];
  // A Cluster pipeline must stay in one slot; commands sent in one tick are pipelined per node anyway.
  if (isCluster) return Promise.all(commands.map(([name, ...args]) => client.call(name ?? "PING", ...args)));
  const results = await client.pipeline(commands.map((command) => [...command])).exec();
  if (!results) throw new Error("pipeline aborted");
  return results.map(([error, value]) => {
    if (error) throw error;
    return value;
  });
}

async function deleteAll(nodes: readonly Redis[], prefix: string): Promise<void> {
  const pattern = `${prefix.replace(/[*?[\]\\]/g, "\\$&")}*`;
  for (const node of nodes) {
    let cursor = "0";
    do {
      const [next, keys] = await node.scan(cursor, "MATCH", pattern, "COUNT", 500);
      cursor = next;
      // One UNLINK per key: on a Cluster node keys of different slots cannot share a command.
      if (keys.length > 0) await node.pipeline(keys.map((key) => ["unlink", key])).exec();
    } while (cursor !== "0");
  }
}

async function quit(client: Redis | Cluster): Promise<void> {
  if (client.status === "ready") {
    try {
      await client.quit();
      return;
    } catch {
      // fall through to a hard disconnect
    }
  }
  client.disconnect();
}
