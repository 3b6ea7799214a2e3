import type { GatewayConfig } from "../config/index.js";
import { BufferedLineWriter, createLogger, RequestLineWriter, type Logger } from "../observability/index.js";

/** The gateway's logger, and the fast writer of its one line per request (JSON format only). */
export interface CliLogger {
  logger: Logger;
  requestLog: ((fields: Record<string, unknown>) => void) | undefined;
}

/**
 * The gateway's logger: pino JSON lines on stdout, written asynchronously by one
 * `BufferedLineWriter` that also takes the one line per request (`logging.format: json`, the
 * default and what `NODE_ENV=production` means), or human-readable lines through pino-pretty (`pretty`, what
 * `NODE_ENV=development` means), loaded only then. Secrets are redacted either way (by field name,
 * and by value with `redactor`, before the line reaches the destination).
 */
export async function createCliLogger(
  logging: GatewayConfig["logging"],
  redactor: { redact(text: string): string },
): Promise<CliLogger> {
  if (logging.format === "json") {
    // Written asynchronously in batches: lines gather in a 64 KB buffer (one syscall for a hundred
    // and more lines under load) and go out at least every 250 ms (so a quiet gateway's lines still
    // show at once, near enough). Flushed at shutdown and at exit.
    const destination = new BufferedLineWriter({ fd: 1, bufferBytes: 64 * 1024, flushMs: 250 });
    const logger = createLogger({ level: logging.level, redactor, destination });
    const lines = new RequestLineWriter(destination, redactor);
    return {
      logger,
      requestLog: logger.isLevelEnabled("info") ? (fields) => lines.write(fields) : undefined,
    };
  }
  const { default: pretty } = await import("pino-pretty");
  const destination = pretty({
    colorize: process.stdout.isTTY,
    sync: true,
    translateTime: "SYS:HH:MM:ss.l",
    ignore: "pid,hostname",
  });
  return { logger: createLogger({ level: logging.level, destination, redactor }), requestLog: undefined };
}
