import type { StoreStatus } from "../types/index.js";
import { openConnection, type RedisConnection } from "./redis-connection.js";
import type { SyncPlan } from "./redis-sync.js";
import { describeTarget, type RedisTarget } from "./redis-url.js";

export interface LinkOptions {
  channel: string;
  connectTimeoutMs: number;
  commandTimeoutMs: number;
  syncIntervalMs: number;
  onStatusChange: ((status: StoreStatus, detail: string) => void) | undefined;
}

/** What the link asks of the store. */
export interface LinkHooks {
  /** The reads of a resync of the whole view, and how to apply them. */
  planSync(): SyncPlan;
  /** A broadcast from another node (or this one: the store filters its own). */
  message(text: string): void;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * The Redis side of a store: the connection's life (lazy ioredis load, reconnects by ioredis), the
 * `connected` / `degraded` status announced once per transition, fire-and-forget writes that never
 * reject, resyncs (on every (re)connect and every `syncIntervalMs`, timer `unref()`ed), and `clear`.
 */
export class RedisLink {
  readonly #options: LinkOptions;
  readonly #hooks: LinkHooks;
  readonly #where: string;
  readonly #opening: Promise<void>;
  readonly #inflight = new Set<Promise<void>>();
  #connection: RedisConnection | null = null;
  #announced: StoreStatus | null = null;
  #resolveReady: (status: StoreStatus) => void = () => {};
  readonly #ready = new Promise<StoreStatus>((resolve) => (this.#resolveReady = resolve));
  #closed = false;
  #timer: NodeJS.Timeout | null = null;
  #syncing = false;
  #syncAgain = false;
  /** The first `connected` waits for the subscription, so no broadcast is missed once connected. */
  #subscribed = false;
  #clearing: Promise<void> | null = null;

  constructor(target: RedisTarget, options: LinkOptions, hooks: LinkHooks) {
    this.#options = options;
    this.#hooks = hooks;
    this.#where = describeTarget(target);
    this.#opening = this.#open(target);
  }

  get status(): StoreStatus {
    return this.#announced === "connected" ? "connected" : "degraded";
  }

  ready(): Promise<StoreStatus> {
    return this.#ready;
  }

  async flush(): Promise<void> {
    while (this.#inflight.size > 0) await Promise.all([...this.#inflight]);
  }

  /** The connection if commands can be sent now (they would fail fast otherwise). */
  writable(): RedisConnection | null {
    const connection = this.#connection;
    return connection && !this.#closed && connection.isReady() ? connection : null;
  }

  /** A pending `clear` that commands issued now must follow, or null. */
  clearing(): Promise<void> | null {
    return this.#clearing;
  }

  /**
   * Fire-and-forget: sends unless disconnected (returns whether it did); never rejects — a failure
   * calls `onError` and degrades the store. Commands issued during a `clear` follow it.
   */
  send(
    operation: (connection: RedisConnection) => Promise<unknown>,
    onReply?: (reply: unknown) => void,
    onError?: () => void,
  ): boolean {
    const connection = this.writable();
    if (!connection) return false;
    const run = () => operation(connection);
    const sent = this.#clearing ? this.#clearing.then(run) : run();
    this.#track(
      sent.then(onReply).catch((error: unknown) => {
        onError?.();
        this.fail(error);
      }),
    );
    return true;
  }

  /** Deletes every key under `prefix`, then publishes `message`; later commands wait for it. */
  clear(prefix: string, message: string): void {
    const connection = this.writable();
    if (!connection) return;
    const run = async () => {
      await connection.deleteAll(prefix);
      await connection.call(["publish", this.#options.channel, message]);
    };
    const clearing: Promise<void> = (this.#clearing ?? Promise.resolve())
      .then(run)
      .catch((error: unknown) => this.fail(error))
      .finally(() => {
        if (this.#clearing === clearing) this.#clearing = null;
      });
    this.#clearing = clearing;
    this.#track(clearing);
  }

  fail(error: unknown): void {
    this.#announce("degraded", `${this.#where}: ${describe(error)}`);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    await this.#opening;
    await this.flush();
    this.#closed = true;
    const connection = this.#connection;
    this.#connection = null;
    if (connection) await connection.close();
  }

  async #open(target: RedisTarget): Promise<void> {
    const { channel, connectTimeoutMs, commandTimeoutMs, syncIntervalMs } = this.#options;
    try {
      const connection = await openConnection(
        target,
        { channel, connectTimeoutMs, commandTimeoutMs },
        {
          ready: () => void this.#sync(),
          down: (reason) => this.#announce("degraded", `${this.#where}: ${reason}`),
          subscribed: () => {
            this.#subscribed = true;
            void this.#sync();
          },
          message: (text) => this.#hooks.message(text),
        },
      );
      if (this.#closed) return void (await connection.close());
      this.#connection = connection;
      this.#timer = setInterval(() => void this.#sync(), syncIntervalMs);
      this.#timer.unref();
    } catch (error) {
      this.fail(error);
    }
  }

  #track(promise: Promise<void>): void {
    this.#inflight.add(promise);
    void promise.finally(() => this.#inflight.delete(promise));
  }

  /** Reads the whole view back from Redis; a success (re)announces `connected`. */
  async #sync(): Promise<void> {
    const connection = this.writable();
    if (!connection) return;
    if (this.#syncing) {
      this.#syncAgain = true;
      return;
    }
    this.#syncing = true;
    try {
      const plan = this.#hooks.planSync();
      const refreshed = plan.apply(await connection.batch(plan.commands));
      if (this.#subscribed) this.#announce("connected", `${this.#where}: in sync (${refreshed} deployments)`);
    } catch (error) {
      this.fail(error);
    } finally {
      this.#syncing = false;
    }
    if (this.#syncAgain) {
      this.#syncAgain = false;
      await this.#sync();
    }
  }

  #announce(status: StoreStatus, detail: string): void {
    if (this.#closed || this.#announced === status) return;
    this.#announced = status;
    this.#resolveReady(status);
    try {
      this.#options.onStatusChange?.(status, detail);
    } catch {
      // A listener's bug must not break the store.
    }
  }
}
