/**
 * The IPC side of a benchmark child process (gateway or bare proxy): reports `ready`, answers
 * `probe` with its own CPU time and RSS, and exits cleanly on `stop` (so `--cpu-prof` can write).
 */

/** What a child answers to a probe. */
export interface ProbeReply {
  type: "probe";
  id: number;
  /** `process.cpuUsage()` in µs. */
  user: number;
  system: number;
  rss: number;
  /** `heapUsed` (after a full GC when asked and `--expose-gc` is on). */
  heapUsed: number;
}

/** Messages from the parent. */
export type ParentMessage = { type: "probe"; id: number; gc?: boolean } | { type: "stop" };

/** Tells the parent the server is up, then serves probes until `stop` (or the IPC channel closes). */
export function serveProbes(url: string, stop: () => Promise<void>): void {
  const send = process.send?.bind(process);
  if (!send) throw new Error("this script must be started with an IPC channel");
  let stopping = false;
  const shutdown = () => {
    if (stopping) return;
    stopping = true;
    const force = setTimeout(() => process.exit(0), 2000);
    force.unref();
    void stop()
      .catch(() => {})
      .finally(() => process.exit(0));
  };
  process.on("message", (message: ParentMessage) => {
    if (message.type === "probe") {
      const gc = (globalThis as { gc?: () => void }).gc;
      if (message.gc === true && gc) gc();
      const cpu = process.cpuUsage();
      const reply: ProbeReply = {
        type: "probe",
        id: message.id,
        user: cpu.user,
        system: cpu.system,
        rss: process.memoryUsage.rss(),
        heapUsed: message.gc === true ? process.memoryUsage().heapUsed : 0,
      };
      send(reply);
    } else if (message.type === "stop") shutdown();
  });
  process.on("disconnect", shutdown);
  process.on("SIGTERM", shutdown);
  send({ type: "ready", url });
}
