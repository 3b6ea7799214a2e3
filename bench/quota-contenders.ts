/**
 * The contenders of `npm run bench:quota`, each on its own simulator: llmux's gateway with nothing but the
 * keys (`learned`), the gateway with the keys' limits (`configured`), and the naive baseline (`naive`),
 * with one or two nodes (gateways on one Redis; for the baseline, two independent routers).
 */
import { startGateway, type RunningGateway } from "../src/cli/gateway.js";
import type { EngineOptions } from "../src/core/index.js";
import type { Simulator } from "../src/sim/index.js";
import { askGateway, askGeminiKey, askOpenAiKey, type Answer } from "./quota-calls.js";
import { gatewayConfig, type RedisState } from "./quota-gateway-config.js";
import { NaiveRouter, type NaiveKey } from "./quota-naive.js";
import { MODEL, type Scenario } from "./quota-scenarios.js";

export type ContenderName = "learned" | "configured" | "naive";

export const CONTENDERS: readonly ContenderName[] = ["learned", "configured", "naive"];

/** A contender ready to take requests. */
export interface Contender {
  /** The caller's request number `index`, sent to node `index % nodes`. */
  call(index: number): Promise<Answer>;
  close(): Promise<void>;
}

export interface ContenderSetup {
  readonly scenario: Scenario;
  readonly sim: Simulator;
  /** llmux's engine options (the scaled defaults). */
  readonly engine: EngineOptions;
  readonly naiveCooldownMs: number;
  /** Shared state of two gateway nodes. */
  readonly redis: RedisState | undefined;
  readonly rng: () => number;
}

async function gatewayContender(mode: "learned" | "configured", setup: ContenderSetup): Promise<Contender> {
  const { scenario, sim, engine, redis } = setup;
  const config = gatewayConfig(scenario, sim, mode, scenario.nodes > 1 ? redis : undefined);
  const nodes: RunningGateway[] = [];
  for (let index = 0; index < scenario.nodes; index += 1)
    nodes.push(await startGateway(config, { port: 0, host: "127.0.0.1", engine }));
  const model = MODEL[scenario.wire];
  return {
    call: (index) => askGateway(nodes[index % nodes.length]!.url, model, scenario.maxTokens),
    close: async () => {
      await Promise.all(nodes.map((node) => node.close(1000)));
    },
  };
}

function naiveContender(setup: ContenderSetup): Contender {
  const { scenario, sim, naiveCooldownMs, rng } = setup;
  const model = MODEL[scenario.wire];
  // A user weights keys by the limits they see (an org's keys each show the org's limit).
  const keys: NaiveKey[] = scenario.keys.map((key) => ({
    id: key.id,
    weight: scenario.bind === "tokens" ? key.tpm : key.rpm,
    send: () =>
      scenario.wire === "gemini"
        ? askGeminiKey(sim.origin, key.id, model, scenario.maxTokens)
        : askOpenAiKey(sim.url, key.id, model, scenario.maxTokens),
  }));
  const routers = Array.from({ length: scenario.nodes }, () => new NaiveRouter(keys, naiveCooldownMs, rng));
  return {
    call: (index) => routers[index % routers.length]!.create(),
    close: () => Promise.resolve(),
  };
}

/** Starts a contender against its simulator. */
export function startContender(name: ContenderName, setup: ContenderSetup): Promise<Contender> {
  return name === "naive" ? Promise.resolve(naiveContender(setup)) : gatewayContender(name, setup);
}
