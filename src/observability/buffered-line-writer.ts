import { write, writeSync } from "node:fs";

/** How a `BufferedLineWriter` gathers and writes its lines. */
export interface BufferedLineWriterOptions {
  /** The file descriptor written to; default 1 (stdout). */
  fd?: number;
  /** The bytes gathered before a write (one buffer); default 64 KiB. */
  bufferBytes?: number;
  /** Gathered lines are written at least this often (a periodic, unref'd timer); default 250 ms. */
  flushMs?: number;
}

/** A run of bytes waiting for the descriptor: `bytes` is a view of `buffer` (reused when it is a pooled one). */
interface Pending {
  buffer: Buffer;
  bytes: Buffer;
}

/** How long a write waits before trying again when the descriptor is busy (EAGAIN), as sonic-boom does. */
const busyRetryMs = 100;

const open = new Set<BufferedLineWriter>();
let exitHooked = false;

function flushAllAtExit(): void {
  for (const writer of open) writer.flushSync();
}

function sleepMs(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function isBusy(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return code === "EAGAIN" || code === "EBUSY";
}

function isBrokenPipe(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | null)?.code === "EPIPE";
}

/**
 * Log lines written to a file descriptor in batches, for the logger and the one line per request:
 * each line is encoded straight into a preallocated buffer (no string concatenation, no per-line
 * allocation); the buffer goes to the descriptor with one asynchronous `fs.write` when the next
 * line does not fit, or every `flushMs` when lines are waiting (an unref'd interval), while lines gather in
 * a second buffer. Lines keep their order. Everything still held is written synchronously when the
 * process exits, and `flush()` resolves once it all reached the descriptor (shutdown). When the
 * reader is gone (EPIPE) the writer drops lines from then on, like pino's destination; a busy
 * descriptor (EAGAIN) is retried.
 */
export class BufferedLineWriter {
  readonly #fd: number;
  readonly #size: number;
  #buffer: Buffer;
  #length = 0;
  readonly #queue: Pending[] = [];
  #spare: Buffer | null = null;
  #writing = false;
  #broken = false;
  readonly #timer: NodeJS.Timeout;
  #flushed: Array<(error?: Error) => void> = [];
  readonly #onTimer = (): void => {
    if (this.#length === 0) return;
    this.#seal();
    this.#next();
  };
  readonly #onWritten = (error: NodeJS.ErrnoException | null, written: number): void => {
    this.#writing = false;
    if (error) {
      if (isBusy(error)) {
        this.#writing = true;
        setTimeout(() => {
          this.#writing = false;
          this.#next();
        }, busyRetryMs).unref();
        return;
      }
      if (isBrokenPipe(error)) {
        this.#break();
        return;
      }
      throw error;
    }
    const head = this.#queue[0];
    if (head === undefined) return;
    if (written < head.bytes.length) head.bytes = head.bytes.subarray(written);
    else {
      this.#queue.shift();
      if (head.buffer.length === this.#size) this.#spare = head.buffer;
    }
    this.#next();
  };

  constructor(options: BufferedLineWriterOptions = {}) {
    this.#fd = options.fd ?? 1;
    this.#size = options.bufferBytes ?? 64 * 1024;
    this.#buffer = Buffer.allocUnsafe(this.#size);
    this.#timer = setInterval(this.#onTimer, options.flushMs ?? 250).unref();
    open.add(this);
    if (!exitHooked) {
      exitHooked = true;
      process.on("exit", flushAllAtExit);
    }
  }

  /** Bytes held in memory, not yet written (gathering and waiting). */
  get heldBytes(): number {
    let bytes = this.#length;
    for (const pending of this.#queue) bytes += pending.bytes.length;
    return bytes;
  }

  /** Adds `line` (ending in a newline, as pino's lines do). Always true: the writer never pushes back. */
  write(line: string): boolean {
    if (this.#broken) return true;
    // A UTF-16 unit is at most 3 UTF-8 bytes: only a line that might not fit is measured.
    if (line.length * 3 > this.#size - this.#length) {
      const bytes = Buffer.byteLength(line);
      if (bytes > this.#size - this.#length) {
        this.#seal();
        if (bytes > this.#size) {
          const whole = Buffer.from(line);
          this.#queue.push({ buffer: whole, bytes: whole });
        }
        this.#next();
        if (bytes > this.#size) return true;
      }
    }
    this.#length += this.#buffer.write(line, this.#length);
    return true;
  }

  /** Writes everything held; `done` is called once it reached the descriptor (pino's `logger.flush`). */
  flush(done?: (error?: Error) => void): void {
    this.#seal();
    if (done) {
      if (this.#queue.length === 0 || this.#broken) done();
      else this.#flushed.push(done);
    }
    this.#next();
  }

  /** Writes everything held now, synchronously (at exit); a write already under way is left to finish. */
  flushSync(): void {
    this.#seal();
    const from = this.#writing ? 1 : 0;
    while (!this.#broken && this.#queue.length > from) {
      const pending = this.#queue[from] as Pending;
      try {
        const written = writeSync(this.#fd, pending.bytes);
        if (written < pending.bytes.length) pending.bytes = pending.bytes.subarray(written);
        else this.#queue.splice(from, 1);
      } catch (error) {
        if (isBrokenPipe(error)) this.#break();
        else if (isBusy(error)) sleepMs(busyRetryMs);
        else throw error;
      }
    }
  }

  /** Writes what is held and stops: later lines are dropped. */
  end(): void {
    this.flushSync();
    clearInterval(this.#timer);
    open.delete(this);
    this.#broken = true;
  }

  /** Moves the gathered lines to the queue of writes and starts a new buffer. */
  #seal(): void {
    if (this.#length === 0) return;
    this.#queue.push({ buffer: this.#buffer, bytes: this.#buffer.subarray(0, this.#length) });
    this.#buffer = this.#spare ?? Buffer.allocUnsafe(this.#size);
    this.#spare = null;
    this.#length = 0;
  }

  /** Starts the next write when none is under way; calls the flush callbacks once all is written. */
  #next(): void {
    if (this.#writing || this.#broken) return;
    const head = this.#queue[0];
    if (head === undefined) {
      const flushed = this.#flushed;
      if (flushed.length === 0) return;
      this.#flushed = [];
      for (const done of flushed) done();
      return;
    }
    this.#writing = true;
    write(this.#fd, head.bytes, 0, head.bytes.length, null, this.#onWritten);
  }

  #break(): void {
    this.#broken = true;
    this.#queue.length = 0;
    this.#length = 0;
    const flushed = this.#flushed;
    this.#flushed = [];
    for (const done of flushed) done();
  }
}
