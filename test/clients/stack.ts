/**
 * One simulator and one listening gateway over it, for the real-client tests.
 *
 * Groups:
 * - `chat`: priority over `a/gpt-4o-mini` (key `sk-sim-a001`) then `b/gpt-4o-mini` (key `sk-sim-b002`);
 * - `limited`: `c/gpt-4o-mini` then `d/gpt-4o-mini`, keys `sk-sim-c003`/`sk-sim-d004` with 1 request per minute;
 * - `embed`: `a/text-embedding-3-small`.
 */
import type { AddressInfo } from "node:net";
import { startSimulator, type Simulator } from "../../src/sim/index.js";
import { gatewayFor, provider, spec } from "../helpers/gateway.js";

export const KEYS = { a: "sk-sim-a001", b: "sk-sim-b002", c: "sk-sim-c003", d: "sk-sim-d004" } as const;

/** The client's key for the gateway (the test gateway has no auth, any key is accepted). */
export const CLIENT_KEY = "sk-client-test";

export interface Stack {
  sim: Simulator;
  gateway: ReturnType<typeof gatewayFor>;
  /** `http://127.0.0.1:PORT/v1` of the gateway. */
  baseURL: string;
  /** Clears the simulator's faults, requests and counters and the gateway's state. */
  reset(): void;
  close(): Promise<void>;
}

export async function startStack(): Promise<Stack> {
  const sim = await startSimulator({
    keys: { [KEYS.a]: {}, [KEYS.b]: {}, [KEYS.c]: { rpm: 1 }, [KEYS.d]: { rpm: 1 } },
    requireKnownKeys: true,
    models: { "gpt-4o-mini": {}, "text-embedding-3-small": {} },
    // Tokens arrive over time, as from a real provider: events after the first content come in
    // later reads, past the commit point (a whole stream in one read commits only at its end).
    chunkDelayMs: 2,
  });
  const gateway = gatewayFor(
    [
      provider("a", sim.url, KEYS.a),
      provider("b", sim.url, KEYS.b),
      provider("c", sim.url, KEYS.c),
      provider("d", sim.url, KEYS.d),
    ],
    [
      {
        name: "chat",
        strategy: "priority",
        automatic: false,
        deployments: [spec("a", "gpt-4o-mini"), spec("b", "gpt-4o-mini")],
      },
      {
        name: "limited",
        strategy: "priority",
        automatic: false,
        deployments: [spec("c", "gpt-4o-mini"), spec("d", "gpt-4o-mini")],
      },
      {
        name: "embed",
        strategy: "priority",
        automatic: false,
        deployments: [spec("a", "text-embedding-3-small")],
      },
    ],
  );
  await gateway.app.listen({ port: 0, host: "127.0.0.1" });
  const { port } = gateway.app.server.address() as AddressInfo;
  return {
    sim,
    gateway,
    baseURL: `http://127.0.0.1:${port}/v1`,
    reset: () => {
      sim.reset();
      gateway.engine.resetState();
    },
    close: async () => {
      // Node's fetch may hold a fresh, request-less keep-alive connection open (e.g. after a client
      // cancelled a stream); the server would wait for it until the client's keep-alive timeout.
      const closing = gateway.close();
      gateway.app.server.closeAllConnections();
      await closing;
      await sim.close();
    },
  };
}
