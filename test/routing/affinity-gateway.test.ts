import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningGateway } from "../../src/cli/gateway.js";
import { startSimulator, type Simulator } from "../../src/sim/index.js";
import { chat, gatewayFromYaml } from "./helpers.js";

let sim: Simulator;
let gateway: RunningGateway;

beforeAll(async () => {
  sim = await startSimulator({ keys: { "key-a": {}, "key-b": {}, "key-c": {} }, requireKnownKeys: true });
  gateway = await gatewayFromYaml(`
server: { port: 0 }
providers:
  - { id: a, type: openai-compatible, base_url: "${sim.url}", api_key: key-a, models: [gpt-4.1] }
  - { id: b, type: openai-compatible, base_url: "${sim.url}", api_key: key-b, models: [gpt-4.1] }
  - { id: c, type: openai-compatible, base_url: "${sim.url}", api_key: key-c, models: [gpt-4.1] }
models:
  pool: { strategy: round-robin, deployments: [a/gpt-4.1, b/gpt-4.1, c/gpt-4.1] }
`);
});
afterAll(async () => {
  await gateway.close(200);
  await sim.close();
});

async function turn(session: Record<string, string>, body: Record<string, unknown>, history: unknown[]) {
  history.push({ role: "user", content: `turn ${history.length}` });
  const answer = await chat(gateway, { model: "pool", messages: history, ...body }, session);
  expect(answer.status).toBe(200);
  const deployment = answer.headers.get("x-llmux-deployment");
  history.push({ role: "assistant", content: "ok" });
  return deployment;
}

describe("prompt-cache affinity (on by default)", () => {
  it("keeps a session on one deployment for 20 turns (round-robin would rotate), and moves it when that one cools down", async () => {
    const history: unknown[] = [{ role: "system", content: "You are a coding agent." }];
    const session = { "x-session-id": "session-1" };
    const seen: (string | null)[] = [];
    for (let i = 0; i < 20; i += 1) seen.push(await turn(session, {}, history));
    expect(new Set(seen).size).toBe(1);
    const sticky = seen[0]!;
    // Other traffic keeps the round-robin moving meanwhile: a different session may land elsewhere.
    const others = new Set<string | null>();
    for (let i = 0; i < 6; i += 1) others.add(await turn({ "x-session-id": `other-${i}` }, {}, []));
    expect(others.size).toBeGreaterThan(1);
    // The sticky deployment is rate limited: the session moves, with no error, and sticks to the new one.
    const key =
      { "pool/a/gpt-4.1": "key-a", "pool/b/gpt-4.1": "key-b", "pool/c/gpt-4.1": "key-c" }[sticky] ??
      `key-${sticky.split("/")[0]}`;
    sim.addFault({ kind: "status", status: 429, key, headers: { "retry-after": "30" } });
    const moved = await turn(session, {}, history);
    expect(moved).not.toBe(sticky);
    sim.clearFaults();
    const after: (string | null)[] = [];
    for (let i = 0; i < 5; i += 1) after.push(await turn(session, {}, history));
    expect(new Set(after)).toEqual(new Set([moved]));
  });

  it("the session key also comes from user, prompt_cache_key or the system prompt and first message", async () => {
    for (const body of [{ user: "u-42" }, { prompt_cache_key: "pck-7" }]) {
      const seen = new Set<string | null>();
      for (let i = 0; i < 6; i += 1) seen.add(await turn({}, body, []));
      expect(seen.size).toBe(1);
    }
    const seen = new Set<string | null>();
    for (let i = 0; i < 6; i += 1) {
      const history: unknown[] = [
        { role: "system", content: "fixed system prompt" },
        { role: "user", content: "first" },
      ];
      history.push({ role: "assistant", content: "ok" });
      seen.add(await turn({}, {}, history.slice(0, i % 2 === 0 ? 2 : 3)));
    }
    expect(seen.size).toBe(1);
  });
});
