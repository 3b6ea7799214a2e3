/**
 * Time to first byte at one connection, for `npm run bench:gateway`: sequential requests over one
 * keep-alive connection, timed from the request's write to the first body byte.
 */
import { Agent, request } from "node:http";
import { performance } from "node:perf_hooks";

/** TTFB of `count` sequential requests (after `warm` unmeasured ones), ms. */
export async function measureTtfb(url: string, body: string, count: number, warm: number): Promise<number[]> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const target = new URL(url);
  const payload = Buffer.from(body);
  const one = (): Promise<number> =>
    new Promise((resolve, reject) => {
      const started = performance.now();
      let first = 0;
      const outgoing = request(
        {
          agent,
          host: target.hostname,
          port: target.port,
          path: target.pathname,
          method: "POST",
          headers: {
            "content-type": "application/json",
            "content-length": payload.length,
            authorization: "Bearer bench-key",
          },
        },
        (incoming) => {
          incoming.on("data", () => {
            if (first === 0) first = performance.now();
          });
          incoming.on("end", () => {
            if (incoming.statusCode !== 200) reject(new Error(`${url}: HTTP ${incoming.statusCode}`));
            else resolve(first - started);
          });
          incoming.on("error", reject);
        },
      );
      outgoing.on("error", reject);
      outgoing.end(payload);
    });
  const times: number[] = [];
  try {
    for (let index = 0; index < warm + count; index += 1) {
      const time = await one();
      if (index >= warm) times.push(time);
    }
  } finally {
    agent.destroy();
  }
  return times;
}
