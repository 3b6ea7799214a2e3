/**
 * The simulator and a listening gateway for the agent tests (Anthropic SDK, Responses, Claude
 * Code, Codex). Groups:
 * - `claude-translated` (aliases `claude-sonnet-4-5`, `claude-haiku-4-5`): OpenAI-compatible
 *   deployments `oa/sim-chat` then `ob/sim-chat` (keys `sk-sim-oa01`, `sk-sim-ob02`, through the
 *   turn proxy): Anthropic callers are translated;
 * - `claude-pass` (alias `claude-opus-4-8`): Anthropic deployments `an1/claude-sim` then
 *   `an2/claude-sim` (keys `sk-ant-sim-an01`, `sk-ant-sim-an02`): Anthropic callers pass through;
 * - `codex` (alias `gpt-5-codex`): `oa/sim-chat` then `ob/sim-chat`, for Responses callers;
 * - `codex-reasoning`: `oa/o4-mini` (a reasoning model name: `reasoning_effort` goes upstream);
 * - `claude-gemini`: `gm/gemini-sim` (key `ge-key-sim-gm01`), Gemini's generateContent;
 * - `mixed`: `an1/claude-sim` then `oa/sim-chat` (a failover across dialects).
 */
import type { AddressInfo } from "node:net";
import { startSimulator, type Simulator, type SimulatorOptions } from "../../src/sim/index.js";
import type { GatewayServerOptions } from "../../src/server/index.js";
import { gatewayFor, provider, spec } from "../helpers/gateway.js";
import { startTurnProxy, type TurnProxy } from "./turn-proxy.js";

export const KEYS = {
  oa: "sk-sim-oa01",
  ob: "sk-sim-ob02",
  an1: "sk-ant-sim-an01",
  an2: "sk-ant-sim-an02",
  gm: "ge-key-sim-gm01",
} as const;

/** The gateway key clients present. */
export const GATEWAY_KEY = "sk-llmux-agents";

export interface AgentStack {
  sim: Simulator;
  /** In front of the simulator's chat completions for `oa` and `ob` (see turn-proxy.ts). */
  proxy: TurnProxy;
  gateway: ReturnType<typeof gatewayFor>;
  /** `http://127.0.0.1:PORT` of the gateway (Anthropic clients add `/v1/messages` themselves). */
  origin: string;
  /** `http://127.0.0.1:PORT/v1` (OpenAI clients). */
  baseURL: string;
  reset(): void;
  close(): Promise<void>;
}

export async function startAgentStack(
  options: { sim?: Partial<SimulatorOptions>; server?: Partial<GatewayServerOptions> } = {},
): Promise<AgentStack> {
  const sim = await startSimulator({
    keys: { [KEYS.oa]: {}, [KEYS.ob]: {}, [KEYS.an1]: {}, [KEYS.an2]: {}, [KEYS.gm]: {} },
    requireKnownKeys: true,
    models: { "sim-chat": {}, "o4-mini": {}, "claude-sim": {}, "gemini-sim": {} },
    chunkDelayMs: 1,
    ...options.sim,
  });
  const proxy = await startTurnProxy(sim.url);
  const gateway = gatewayFor(
    [
      provider("oa", proxy.url, KEYS.oa),
      provider("ob", proxy.url, KEYS.ob),
      provider("an1", sim.origin, KEYS.an1, "anthropic"),
      provider("an2", sim.origin, KEYS.an2, "anthropic"),
      provider("gm", sim.origin, KEYS.gm, "gemini"),
    ],
    [
      {
        name: "claude-translated",
        strategy: "priority",
        automatic: false,
        aliases: ["claude-sonnet-4-5", "claude-haiku-4-5"],
        deployments: [spec("oa", "sim-chat"), spec("ob", "sim-chat")],
      },
      {
        name: "claude-pass",
        strategy: "priority",
        automatic: false,
        aliases: ["claude-opus-4-8"],
        deployments: [spec("an1", "claude-sim"), spec("an2", "claude-sim")],
      },
      {
        name: "codex",
        strategy: "priority",
        automatic: false,
        aliases: ["gpt-5-codex"],
        deployments: [spec("oa", "sim-chat"), spec("ob", "sim-chat")],
      },
      {
        name: "codex-reasoning",
        strategy: "priority",
        automatic: false,
        deployments: [spec("oa", "o4-mini")],
      },
      {
        name: "claude-gemini",
        strategy: "priority",
        automatic: false,
        deployments: [spec("gm", "gemini-sim")],
      },
      {
        name: "mixed",
        strategy: "priority",
        automatic: false,
        deployments: [spec("an1", "claude-sim"), spec("oa", "sim-chat")],
      },
    ],
    {
      server: {
        auth: { keys: [GATEWAY_KEY], publicStatus: false, publicMetrics: false },
        ...options.server,
      },
    },
  );
  await gateway.app.listen({ port: 0, host: "127.0.0.1" });
  const { port } = gateway.app.server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  return {
    sim,
    proxy,
    gateway,
    origin,
    baseURL: `${origin}/v1`,
    reset: () => {
      sim.reset();
      proxy.bodies.length = 0;
      gateway.engine.resetState();
    },
    close: async () => {
      const closing = gateway.close();
      gateway.app.server.closeAllConnections();
      await closing;
      await proxy.close();
      await sim.close();
    },
  };
}
