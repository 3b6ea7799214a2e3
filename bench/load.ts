/** One fixed-duration autocannon run against a chat completions endpoint, with sub-ms latencies. */
import autocannon from "autocannon";

/** What one run measured. */
export interface LoadRun {
  /** 2xx responses completed. */
  ok: number;
  /** Non-2xx responses plus connection errors and timeouts. */
  failed: number;
  seconds: number;
  /** Latency of each 2xx response, ms (headers sent → last body byte). */
  latencies: number[];
}

/** Runs autocannon with `connections` connections for `seconds` against `url` with a JSON `body`. */
export function runLoad(url: string, body: unknown, connections: number, seconds: number): Promise<LoadRun> {
  const latencies: number[] = [];
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url,
        method: "POST",
        headers: { "content-type": "application/json", authorization: "Bearer bench-key" },
        body: JSON.stringify(body),
        connections,
        pipelining: 1,
        duration: seconds,
        timeout: 10,
      },
      (error, result) => {
        if (error) {
          reject(error);
          return;
        }
        resolve({
          ok: result["2xx"],
          failed: result.non2xx + result.errors,
          seconds: result.duration,
          latencies,
        });
      },
    );
    instance.on("response", (_client, statusCode: number, _bytes: number, responseTime: number) => {
      if (statusCode >= 200 && statusCode < 300) latencies.push(responseTime);
    });
  });
}
