import { startSimulator, type SimKeyOptions } from "../sim/index.js";
import { textOption, UsageError, type OptionValues } from "./args.js";
import { listenFailure } from "./listen-error.js";
import { onShutdown } from "./shutdown.js";

function numberFlag(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed < 0)
    throw new UsageError(`llmux sim: --${name} must be a non-negative number, got '${value}'`, "sim");
  return parsed;
}

/** `llmux sim`: the provider simulator as a standalone server. */
export async function runSimulatorCommand(
  values: OptionValues,
  port: number | undefined,
): Promise<number | undefined> {
  const number = (name: string) => numberFlag(textOption(values, name), name);
  const rpm = number("rpm");
  const tpm = number("tpm");
  const limits: SimKeyOptions = {
    ...(rpm === undefined ? {} : { rpm }),
    ...(tpm === undefined ? {} : { tpm }),
  };
  const latencyMs = number("latency");
  const chunkDelayMs = number("chunk-delay");
  const chunks = number("chunks");
  const keys = (textOption(values, "keys") ?? "").split(",").filter(Boolean);
  const host = textOption(values, "host") ?? "127.0.0.1";
  let sim;
  try {
    sim = await startSimulator({
      host,
      port: port ?? 4010,
      keys: Object.fromEntries(keys.map((key) => [key, limits])),
      requireKnownKeys: keys.length > 0,
      ...(latencyMs === undefined ? {} : { latencyMs }),
      ...(chunkDelayMs === undefined ? {} : { chunkDelayMs }),
      ...(chunks === undefined ? {} : { chunks }),
    });
  } catch (error) {
    const failure = listenFailure(error, {
      host,
      port: port ?? 4010,
      retry: "pick another port with --port N",
    });
    if (!failure) throw error;
    process.stderr.write(`llmux sim: ${failure.message}\n`);
    return failure.code;
  }
  process.stdout.write(
    `llmux simulator on ${sim.url} (keys: ${keys.length > 0 ? keys.join(", ") : "any"}; limits: ${JSON.stringify(limits)})\n`,
  );
  onShutdown(() => sim.close());
  return undefined;
}
