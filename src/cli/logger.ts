import { pino } from "pino";
import type { GatewayConfig } from "../config/index.js";
import { createLogger, type Logger } from "../observability/index.js";

/**
 * The gateway's logger: pino JSON lines on stdout, written asynchronously (`logging.format: json`, the default and what
 * `NODE_ENV=production` means), or human-readable lines through pino-pretty (`pretty`, what
 * `NODE_ENV=development` means), loaded only then. Secrets are redacted either way (by field name,
 * and by value with `redactor`, before the line reaches the destination).
 */
export async function createCliLogger(
  logging: GatewayConfig["logging"],
  redactor: { redact(text: string): string },
): Promise<Logger> {
  if (logging.format === "json") {
    // Written asynchronously: lines logged while a write is under way go out together in the next
    // one (one syscall for many lines under load, at once when idle). Flushed at shutdown.
    const destination = pino.destination({ dest: 1, sync: false });
    return createLogger({ level: logging.level, redactor, destination });
  }
  const { default: pretty } = await import("pino-pretty");
  const destination = pretty({
    colorize: process.stdout.isTTY,
    sync: true,
    translateTime: "SYS:HH:MM:ss.l",
    ignore: "pid,hostname",
  });
  return createLogger({ level: logging.level, destination, redactor });
}
