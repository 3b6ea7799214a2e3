import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { connect } from "node:net";
import type { Redis } from "ioredis";

/** Whether a Redis server answers PING on 127.0.0.1:`port` within `timeoutMs`. */
export function redisAnswers(port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port });
    const done = (answer: boolean) => {
      socket.destroy();
      resolve(answer);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.on("error", () => done(false));
    socket.on("connect", () => socket.write("PING\r\n"));
    socket.on("data", (data) => done(data.toString().startsWith("+PONG")));
  });
}

export function uniquePrefix(): string {
  return `llmux-test:${randomBytes(6).toString("hex")}:`;
}

/** Every key under a prefix. */
export async function keysUnder(admin: Redis, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = "0";
  do {
    const [next, page] = await admin.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 1000);
    cursor = next;
    keys.push(...page);
  } while (cursor !== "0");
  return keys;
}

export async function deleteUnder(admin: Redis, prefix: string): Promise<void> {
  const keys = await keysUnder(admin, prefix);
  if (keys.length > 0) await admin.del(...keys);
}

/** Polls `check` until it returns true (broadcasts and syncs are asynchronous). */
export async function eventually(check: () => boolean, timeoutMs = 3_000, what = "condition"): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A throwaway redis-server child on `port` (no persistence), for outage tests. */
export async function startRedisServer(port: number): Promise<ChildProcess> {
  const child = spawn(
    "redis-server",
    ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
    { stdio: "ignore" },
  );
  let failure: Error | null = null;
  child.once("error", (error) => (failure = error));
  const deadline = Date.now() + 5_000;
  while (!(await redisAnswers(port, 200))) {
    if (failure) throw failure;
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`redis-server on port ${port} did not start`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return child;
}

export async function stopRedisServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGKILL");
  await exited;
}
