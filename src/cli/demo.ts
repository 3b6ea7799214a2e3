import { defaultConfig, type GatewayConfig } from "../config/index.js";
import { createLogger } from "../observability/index.js";
import { startSimulator, type Simulator } from "../sim/index.js";
import type { DeploymentSpec, EngineEvent, ProviderInstanceSpec } from "../types/index.js";
import { startGateway, type RunningGateway } from "./gateway.js";
import { onShutdown } from "./shutdown.js";

/** The demo's simulated accounts: three keys with small limits, one broken key, one fallback key. */
const windowMs = 10_000;
const keys = [
  { id: "sim-key-1", key: "demo-key-0001", rpm: 20 },
  { id: "sim-key-2", key: "demo-key-0002", rpm: 20 },
  { id: "sim-key-3", key: "demo-key-0003", rpm: 20 },
  { id: "sim-broken", key: "demo-key-dead", rpm: 1000 },
  { id: "sim-fallback", key: "demo-key-0004", rpm: 30 },
];

function deployment(providerId: string, model: string, tier: number): DeploymentSpec {
  return {
    id: `${providerId}/${model}`,
    providerId,
    model,
    weight: 1,
    tier,
    rpm: null,
    tpm: null,
    rpd: null,
    contextWindow: null,
    firstTokenTimeoutMs: null,
    streamIdleTimeoutMs: null,
    includeUsage: true,
  };
}

/** The demo's gateway config over the simulator. */
export function demoConfig(sim: Simulator, port: number, host: string): GatewayConfig {
  const config = defaultConfig({});
  const providers: ProviderInstanceSpec[] = keys.map((k) => ({
    id: k.id,
    type: "openai-compatible",
    apiKey: k.key,
    baseUrl: sim.url,
    headers: {},
    models: [k.id === "sim-fallback" ? "gpt-4.1-mini" : "gpt-4.1"],
    azure: null,
  }));
  const primaries = keys.filter((k) => k.id !== "sim-fallback").map((k) => deployment(k.id, "gpt-4.1", 0));
  const fallback = deployment("sim-fallback", "gpt-4.1-mini", 1);
  return {
    ...config,
    server: { ...config.server, port, host },
    routing: {
      ...config.routing,
      strategy: "weighted",
      maxWaitMs: 0,
      circuit: { failureThreshold: 2, openMs: 5_000 },
    },
    providers,
    groups: [
      { name: "gpt-4.1", strategy: "weighted", deployments: [...primaries, fallback], automatic: false },
      { name: "gpt-4.1-mini", strategy: "weighted", deployments: [fallback], automatic: false },
    ],
    logging: { level: "warn", format: "json" },
  };
}

function banner(gateway: RunningGateway): string {
  const base = `${gateway.url}/v1`;
  return `
llmux demo — a gateway over simulated providers (no API keys needed)

  Gateway:  ${base}
  Models:   gpt-4.1  (3 keys x ${keys[0]?.rpm} req/${windowMs / 1000}s + 1 broken key, then gpt-4.1-mini as fallback)
  Status:   ${gateway.url}/status     Metrics: ${gateway.url}/metrics

Try it:
  curl ${base}/chat/completions -H 'content-type: application/json' \\
    -d '{"model":"gpt-4.1","messages":[{"role":"user","content":"Hello!"}]}'

  import OpenAI from "openai";
  const client = new OpenAI({ baseURL: "${base}", apiKey: "anything" });
  const answer = await client.chat.completions.create({ model: "gpt-4.1", messages: [{ role: "user", content: "Hello!" }] });
`;
}

interface Tally {
  sent: number;
  ok: number;
  callerErrors: number;
  upstream429: number;
  failovers: number;
  byDeployment: Map<string, number>;
}

function freshTally(): Tally {
  return { sent: 0, ok: 0, callerErrors: 0, upstream429: 0, failovers: 0, byDeployment: new Map() };
}

/** Sends `rate` requests per second for `seconds`, printing one line per second. */
async function driveTraffic(gateway: RunningGateway, rate: number, seconds: number): Promise<void> {
  const total = freshTally();
  let second = freshTally();
  const unsubscribe = gateway.engine.events.on((event: EngineEvent) => {
    if (event.type !== "attempt_end") return;
    for (const tally of [total, second]) {
      if (event.outcome === "success")
        tally.byDeployment.set(event.deploymentId, (tally.byDeployment.get(event.deploymentId) ?? 0) + 1);
      else if (event.failure === "rate_limited") tally.upstream429 += 1;
      if (event.outcome === "failure") tally.failovers += 1;
    }
  });
  process.stdout.write(
    `Live traffic: ${rate} requests/s for ${seconds}s — more than any one key allows (${(keys[0]?.rpm ?? 0) / (windowMs / 1000)}/s).\n`,
  );
  process.stdout.write(" sec  sent   ok  errors(caller)  429s(upstream, absorbed)  failovers  answered by\n");
  const pending: Array<Promise<void>> = [];
  for (let s = 1; s <= seconds; s += 1) {
    for (let i = 0; i < rate; i += 1) {
      total.sent += 1;
      second.sent += 1;
      const tallies = [total, second];
      pending.push(
        fetch(`${gateway.url}/v1/chat/completions`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({
            model: "gpt-4.1",
            messages: [{ role: "user", content: `Request ${total.sent}` }],
            stream: i % 2 === 0,
          }),
        }).then(
          async (response) => {
            await response.arrayBuffer();
            for (const tally of tallies)
              if (response.ok) tally.ok += 1;
              else tally.callerErrors += 1;
          },
          () => {
            for (const tally of tallies) tally.callerErrors += 1;
          },
        ),
      );
      await new Promise((resolve) => setTimeout(resolve, 1000 / rate));
    }
    const who = [...second.byDeployment.entries()].map(([id, n]) => `${id.split("/")[0]}:${n}`).join(" ");
    process.stdout.write(
      ` ${String(s).padStart(3)}  ${String(second.sent).padStart(4)} ${String(second.ok).padStart(4)}  ${String(second.callerErrors).padStart(14)}  ${String(second.upstream429).padStart(24)}  ${String(second.failovers).padStart(9)}  ${who}\n`,
    );
    second = freshTally();
  }
  await Promise.all(pending);
  unsubscribe();
  const who = [...total.byDeployment.entries()].map(([id, n]) => `${id}: ${n}`).join(", ");
  process.stdout.write(
    `\nDone: ${total.ok}/${total.sent} answered, ${total.callerErrors} caller-visible errors; ${total.upstream429} upstream 429s and ${total.failovers} failed attempts were absorbed by failover.\nAnswered by: ${who}\nThe gateway keeps running at ${gateway.url}/v1 — Ctrl+C to stop.\n`,
  );
}

/** `llmux demo`: simulated providers with small limits + the gateway, and live traffic showing quota combining and failover. */
export async function runDemo(options: {
  port: number;
  host: string;
  traffic: boolean;
  trafficSeconds?: number;
}): Promise<number | undefined> {
  const sim = await startSimulator({
    keys: Object.fromEntries(keys.map((k) => [k.key, { rpm: k.rpm }])),
    requireKnownKeys: true,
    windowMs,
    chunkDelayMs: 5,
    latencyMs: 20,
  });
  sim.addFault({ kind: "reset", key: "demo-key-dead" });
  let gateway: RunningGateway;
  try {
    gateway = await startGateway(demoConfig(sim, options.port, options.host), {
      logger: createLogger({ level: "error" }),
    });
  } catch (error) {
    await sim.close();
    const code = (error as { code?: string }).code;
    process.stderr.write(
      code === "EADDRINUSE"
        ? `Port ${options.port} is in use; try \`llmux demo --port 4001\`.\n`
        : `${(error as Error).message}\n`,
    );
    return 1;
  }
  process.stdout.write(banner(gateway));
  onShutdown(async () => {
    await gateway.close(1000);
    await sim.close();
  });
  if (options.traffic) await driveTraffic(gateway, 8, options.trafficSeconds ?? 20);
  return undefined;
}
