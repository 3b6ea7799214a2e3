import { startSimulator, type SimKeyOptions } from "../sim/index.js";
import { onShutdown } from "./shutdown.js";

function numberFlag(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed < 0)
    throw new Error(`--${name} must be a non-negative number, got '${value}'`);
  return parsed;
}

/** `llmux sim`: the provider simulator as a standalone server. */
export async function runSimulatorCommand(
  values: {
    keys?: string | undefined;
    rpm?: string | undefined;
    tpm?: string | undefined;
    latency?: string | undefined;
    "chunk-delay"?: string | undefined;
    chunks?: string | undefined;
    host?: string | undefined;
  },
  port: number | undefined,
): Promise<number | undefined> {
  let limits: SimKeyOptions;
  let latencyMs: number | undefined;
  let chunkDelayMs: number | undefined;
  let chunks: number | undefined;
  try {
    const rpm = numberFlag(values.rpm, "rpm");
    const tpm = numberFlag(values.tpm, "tpm");
    limits = { ...(rpm === undefined ? {} : { rpm }), ...(tpm === undefined ? {} : { tpm }) };
    latencyMs = numberFlag(values.latency, "latency");
    chunkDelayMs = numberFlag(values["chunk-delay"], "chunk-delay");
    chunks = numberFlag(values.chunks, "chunks");
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    return 2;
  }
  const keys = (values.keys ?? "").split(",").filter(Boolean);
  const sim = await startSimulator({
    host: values.host ?? "127.0.0.1",
    port: port ?? 4010,
    keys: Object.fromEntries(keys.map((key) => [key, limits])),
    requireKnownKeys: keys.length > 0,
    ...(latencyMs === undefined ? {} : { latencyMs }),
    ...(chunkDelayMs === undefined ? {} : { chunkDelayMs }),
    ...(chunks === undefined ? {} : { chunks }),
  });
  process.stdout.write(
    `llmux simulator on ${sim.url} (keys: ${keys.length > 0 ? keys.join(", ") : "any"}; limits: ${JSON.stringify(limits)})\n`,
  );
  onShutdown(() => sim.close());
  return undefined;
}
