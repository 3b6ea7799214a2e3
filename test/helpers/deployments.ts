import {
  buildGroup,
  Engine,
  type Deployment,
  type EngineOptions,
  type Strategy,
} from "../../src/core/index.js";
import type { EngineEvent, Target } from "../../src/types/index.js";

/** A deployment for engine tests. */
export function deployment(
  id: string,
  target: Target,
  options: {
    model?: string;
    tier?: number;
    weight?: number;
    contextWindow?: number;
    rpm?: number;
    tpm?: number;
    rpd?: number;
  } = {},
): Deployment {
  return {
    id,
    model: options.model ?? id,
    provider: target.provider,
    target,
    weight: options.weight ?? 1,
    tier: options.tier ?? 0,
    contextWindow: options.contextWindow ?? null,
    includeUsage: true,
    timeouts: {},
    limits: { rpm: options.rpm ?? null, tpm: options.tpm ?? null, rpd: options.rpd ?? null },
  };
}

/** An engine with one group `g` over `deployments`, recording its events. */
export function engineWith(
  deployments: Deployment[],
  options: EngineOptions & { groupStrategy?: Strategy } = {},
): { engine: Engine; events: EngineEvent[] } {
  const engine = new Engine({ maxWaitMs: 0, ...options });
  engine.setGroups([buildGroup("g", options.groupStrategy ?? options.strategy ?? "priority", deployments)]);
  const events: EngineEvent[] = [];
  engine.events.on((event) => events.push(event));
  return { engine, events };
}

/** Collects a stream's content into one string. */
export async function collect(chunks: AsyncIterable<{ data: string }>): Promise<string> {
  let text = "";
  for await (const event of chunks) {
    const chunk = JSON.parse(event.data) as { choices: Array<{ delta?: { content?: string | null } }> };
    text += chunk.choices[0]?.delta?.content ?? "";
  }
  return text;
}
