/**
 * The 16 failoverbench scenarios as llmux's own end-to-end suite: the real gateway over HTTP, driven
 * by the openai SDK, against the simulator's faults. Each must be rescued with the complete, exact
 * answer (content policy: the clean 400 at once); none hangs; attempts stay bounded.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  runScenario,
  scenarios,
  startFailoverStack,
  type FailoverStack,
} from "../../bench/failover-scenarios.js";

let stack: FailoverStack;

beforeAll(async () => {
  stack = await startFailoverStack();
});
afterAll(async () => {
  await stack.close();
});

for (const kind of ["early", "slow", "stream", "request", "flap", "usage"] as const) {
  describe(`failover scenarios: ${kind}`, () => {
    for (const scenario of scenarios.filter((s) => s.kind === kind)) {
      it(`${scenario.name} (${scenario.stream ? "stream" : "non-stream"}) is rescued`, async () => {
        const result = await runScenario(stack, scenario);
        expect(result, result.note).toMatchObject({ grade: "pass" });
      }, 45_000);
    }
  });
}
