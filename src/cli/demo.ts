import { createLogger } from "../observability/index.js";
import { startSimulator, type Simulator } from "../sim/index.js";
import { demoConfig, demoKeys, demoWindowMs, fallbackId } from "./demo-config.js";
import { useUpKey } from "./demo-other-app.js";
import { driveTraffic, type TrafficEvent, type TrafficTally } from "./demo-traffic.js";
import { exitCodes } from "./exit-codes.js";
import { startGateway, type RunningGateway } from "./gateway.js";
import { listenFailure } from "./listen-error.js";
import { onShutdown } from "./shutdown.js";

/** Requests per second the demo sends: more than one key allows, less than all of them plus the fallback. */
const rate = 7;
const perKey = (demoKeys[0]?.rpm ?? 0) / (demoWindowMs / 1000);

function banner(gateway: RunningGateway): string {
  const base = `${gateway.url}/v1`;
  return `
llmux demo — a gateway over simulated providers (no API keys needed)

  Gateway:  ${base}
  Models:   gpt-4.1       3 keys x ${demoKeys[0]?.rpm} requests/${demoWindowMs / 1000}s + 1 broken key
            gpt-4.1-mini  the fallback when every gpt-4.1 key is full
  Status:   ${gateway.url}/status     Metrics: ${gateway.url}/metrics

Try it:
  curl ${base}/chat/completions -H 'content-type: application/json' \\
    -d '{"model":"gpt-4.1","messages":[{"role":"user","content":"Hello!"}]}'

  import OpenAI from "openai";
  const client = new OpenAI({ baseURL: "${base}", apiKey: "anything" });
  const answer = await client.chat.completions.create({ model: "gpt-4.1", messages: [{ role: "user", content: "Hello!" }] });
`;
}

/** sim-key-1 and sim-key-2 are shared with another app, which uses up their quota early on. */
function otherApp(sim: Simulator): TrafficEvent[] {
  return [
    { second: 3, key: demoKeys[0] },
    { second: 5, key: demoKeys[1] },
  ].flatMap(({ second, key }) =>
    key
      ? [
          {
            second,
            run: async () => {
              const taken = await useUpKey(sim, key.key, key.rpm);
              return `another app used up ${key.id}'s quota (${taken} requests): the gateway learns it from the next 429`;
            },
          },
        ]
      : [],
  );
}

function summary(total: TrafficTally, seconds: number, gateway: RunningGateway): string {
  const who = [...total.byDeployment.entries()].map(([id, n]) => `${id}: ${n}`).join(", ");
  return [
    "",
    `Done: ${total.answered}/${total.sent} answered in ${seconds}s, ${total.callerErrors} caller errors.`,
    `  upstream 429s absorbed:  ${total.upstream429} (retried at once on a sibling key)`,
    `  failovers:               ${total.failovers} (after the 429s and ${total.otherFailures} failed attempts on the broken key)`,
    `  served by the fallback:  ${total.byFallback} (${fallbackId}, while every gpt-4.1 key was full)`,
    `Answered by: ${who}`,
    `The gateway keeps running at ${gateway.url}/v1 — Ctrl+C to stop.`,
    "",
  ].join("\n");
}

/**
 * `llmux demo`: simulated providers with small limits and the gateway in front of them, then live
 * traffic showing the keys' quota combined, upstream 429s absorbed by failover to sibling keys, and
 * the fallback tier taking over when every key is full. The gateway keeps running afterwards.
 */
export async function runDemo(options: {
  port: number;
  host: string;
  traffic: boolean;
  trafficSeconds?: number;
}): Promise<number | undefined> {
  const sim = await startSimulator({
    keys: Object.fromEntries(demoKeys.map((k) => [k.key, { rpm: k.rpm }])),
    requireKnownKeys: true,
    windowMs: demoWindowMs,
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
    const retry = "try `llmux demo --port 0` (any free port) or another --port";
    const failure = listenFailure(error, { host: options.host, port: options.port, retry });
    if (!failure) throw error;
    process.stderr.write(`llmux demo: ${failure.message}\n`);
    return exitCodes.cannotListen;
  }
  process.stdout.write(banner(gateway));
  onShutdown(async () => {
    await gateway.close(1000);
    await sim.close();
  });
  if (!options.traffic) return undefined;
  const seconds = options.trafficSeconds ?? 12;
  process.stdout.write(
    `Live traffic: ${rate} requests/s for ${seconds}s — more than any one key allows (${perKey}/s).\n`,
  );
  const write = (text: string): void => void process.stdout.write(text);
  const total = await driveTraffic(gateway, { rate, seconds, events: otherApp(sim) }, write);
  process.stdout.write(summary(total, seconds, gateway));
  return undefined;
}
