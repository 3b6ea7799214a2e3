import { Counter, Gauge, type Registry } from "prom-client";

/** The reload metrics: `llmux_config_reloads_total{result}` and `llmux_config_loaded_timestamp_seconds`. */
export function reloadMetrics(registry: Registry): {
  count(result: "success" | "failure", at: number): void;
} {
  const reloads = new Counter({
    name: "llmux_config_reloads_total",
    help: "Config reloads (SIGHUP, --watch) by result: success (swapped in) or failure (invalid, the running config kept).",
    labelNames: ["result"],
    registers: [registry],
  });
  const loaded = new Gauge({
    name: "llmux_config_loaded_timestamp_seconds",
    help: "When the running config was loaded (at start or by the last successful reload), Unix seconds.",
    registers: [registry],
  });
  loaded.set(Date.now() / 1000);
  reloads.inc({ result: "success" }, 0);
  reloads.inc({ result: "failure" }, 0);
  return {
    count(result, at) {
      reloads.inc({ result });
      if (result === "success") loaded.set(at / 1000);
    },
  };
}
