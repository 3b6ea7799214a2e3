/**
 * Opens many concurrent streaming chat completions with undici and records, for each, the time to
 * first body byte, whether it completed (status 200, no in-band error, ends with `data: [DONE]`)
 * and how many SSE events it carried.
 */
import { performance } from "node:perf_hooks";
import { Agent, request } from "undici";

/** What one batch of concurrent streams measured. */
export interface StreamsRun {
  completed: number;
  /** Failures by reason (status, in-band error, missing [DONE], exception code). */
  errors: Map<string, number>;
  /** Time to first body byte of each stream that answered 200, ms. */
  ttfb: number[];
  /** Whole stream time of each completed stream, ms. */
  total: number[];
  /** SSE events per completed stream (min and max). */
  events: { min: number; max: number };
  wallMs: number;
}

function countOf(text: string, pattern: string): number {
  let count = 0;
  for (let at = text.indexOf(pattern); at !== -1; at = text.indexOf(pattern, at + pattern.length)) count += 1;
  return count;
}

/**
 * Starts `count` streams at `url` in waves of `wave` every `waveEveryMs` ms (so a kernel accept queue
 * of 511 is not what is measured), each with its own connection, and waits for all to end
 * (each is given `timeoutMs`).
 */
export async function runStreams(
  url: string,
  body: unknown,
  options: { count: number; wave: number; waveEveryMs: number; timeoutMs: number },
): Promise<StreamsRun> {
  const dispatcher = new Agent({
    connections: options.count,
    pipelining: 1,
    headersTimeout: options.timeoutMs,
    bodyTimeout: options.timeoutMs,
    connect: { timeout: options.timeoutMs },
  });
  const payload = JSON.stringify(body);
  const run: StreamsRun = {
    completed: 0,
    errors: new Map(),
    ttfb: [],
    total: [],
    events: { min: Infinity, max: 0 },
    wallMs: 0,
  };
  const fail = (reason: string) => run.errors.set(reason, (run.errors.get(reason) ?? 0) + 1);
  const one = async (): Promise<void> => {
    const started = performance.now();
    try {
      const answer = await request(url, {
        dispatcher,
        method: "POST",
        headers: { "content-type": "application/json", authorization: "Bearer bench-key" },
        body: payload,
        signal: AbortSignal.timeout(options.timeoutMs),
      });
      if (answer.statusCode !== 200) {
        await answer.body.dump();
        fail(`status ${answer.statusCode}`);
        return;
      }
      let first = true;
      let tail = "";
      let events = 0;
      let inBandError = false;
      for await (const chunk of answer.body) {
        if (first) {
          run.ttfb.push(performance.now() - started);
          first = false;
        }
        const text = tail + (chunk as Buffer).toString("latin1");
        events += countOf(text, "\n\n") - countOf(tail, "\n\n");
        if (text.includes('"error"')) inBandError = true;
        tail = text.slice(-24);
      }
      if (inBandError) fail("in-band error event");
      else if (!tail.trimEnd().endsWith("data: [DONE]")) fail("no [DONE]");
      else {
        run.completed += 1;
        run.total.push(performance.now() - started);
        run.events.min = Math.min(run.events.min, events);
        run.events.max = Math.max(run.events.max, events);
      }
    } catch (error) {
      const code = (error as { code?: string }).code ?? (error as Error).name;
      fail(code);
    }
  };
  const started = performance.now();
  const pending: Array<Promise<void>> = [];
  for (let sent = 0; sent < options.count; sent += options.wave) {
    for (let i = sent; i < Math.min(options.count, sent + options.wave); i += 1) pending.push(one());
    if (sent + options.wave < options.count)
      await new Promise((done) => setTimeout(done, options.waveEveryMs));
  }
  await Promise.all(pending);
  run.wallMs = performance.now() - started;
  await dispatcher.close().catch(() => {});
  return run;
}
