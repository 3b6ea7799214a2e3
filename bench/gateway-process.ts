/**
 * The llmux gateway in its own process for `bench/gateway.ts`, so its CPU time and RSS are measured
 * alone. argv[2]: JSON `{ upstream, model }`; one group `model` with one deployment on `upstream`.
 */
import { startGateway } from "../src/cli/gateway.js";
import { defaultConfig, type GatewayConfig } from "../src/config/index.js";
import { createLogger } from "../src/observability/index.js";
import { serveProbes } from "./child-ipc.js";

const { upstream, model, sourceMaps, redis, limited } = JSON.parse(process.argv[2] ?? "{}") as {
  upstream: string;
  model: string;
  sourceMaps?: boolean;
  /** Keep deployment state in this Redis (`--redis`). */
  redis?: string;
  /** Give the deployment (very high) rpm/tpm limits, so every request takes capacity from the store. */
  limited?: boolean;
};
// tsx turns source-mapped stack traces on; the built gateway (`node dist/…`) runs without them.
process.setSourceMapsEnabled(sourceMaps === true);
const base = defaultConfig({});
const config: GatewayConfig = {
  ...base,
  server: { ...base.server, host: "127.0.0.1", port: 0, auth: { ...base.server.auth, keys: [] } },
  providers: [
    {
      id: "sim",
      type: "openai-compatible",
      apiKey: "bench-key",
      baseUrl: upstream,
      headers: {},
      models: [model],
      azure: null,
    },
  ],
  groups: [
    {
      name: model,
      strategy: "weighted",
      automatic: false,
      deployments: [
        {
          id: `sim/${model}`,
          providerId: "sim",
          model,
          weight: 1,
          tier: 0,
          rpm: limited ? 1_000_000_000 : null,
          tpm: limited ? 1_000_000_000_000 : null,
          rpd: null,
          contextWindow: null,
          firstTokenTimeoutMs: null,
          streamIdleTimeoutMs: null,
          includeUsage: true,
        },
      ],
    },
  ],
  logging: { level: "error", bodies: false },
  state: redis ? { redis: { url: redis, prefix: `llmux-bench-${process.pid}:` } } : { redis: null },
};
const gateway = await startGateway(config, {
  logger: createLogger({ level: "error" }),
  port: 0,
  host: "127.0.0.1",
});
serveProbes(gateway.url, () => gateway.close(500));
