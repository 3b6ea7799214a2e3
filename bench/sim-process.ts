/**
 * Runs the provider simulator in its own process for benchmarks, so it does not share the event loop
 * of what is measured. Prints `READY <url>` once listening. Options as JSON in argv[2].
 */
import { startSimulator, type SimulatorOptions } from "../src/sim/index.js";

const options = JSON.parse(process.argv[2] ?? "{}") as SimulatorOptions;
const sim = await startSimulator({ maxRecords: 1, ...options });
process.stdout.write(`READY ${sim.url}\n`);
process.on("SIGTERM", () => {
  void sim.close().then(() => process.exit(0));
});
