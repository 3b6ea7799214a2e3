import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGateway, type RunningGateway } from "../../src/cli/gateway.js";
import { parseConfig } from "../../src/config/index.js";
import { createLogger } from "../../src/observability/index.js";
import { startSimulator, type Simulator } from "../../src/sim/index.js";

let sim: Simulator;
let gateway: RunningGateway;
const logLines: Array<Record<string, unknown>> = [];

beforeAll(async () => {
  // 40 chunks 100 ms apart: a 4 s stream, far longer than the grace below.
  sim = await startSimulator({ chunkDelayMs: 100, chunks: 40 });
  const { config } = parseConfig(
    [
      "server:",
      "  port: 0",
      "providers:",
      "  - id: sim",
      "    type: openai-compatible",
      `    base_url: ${sim.url}`,
      "    api_key: sk-sim-key",
      "models:",
      "  slow: { deployments: [sim/gpt-4.1] }",
      "",
    ].join("\n"),
    { file: "shutdown.yaml", env: {} },
  );
  const logger = createLogger({
    destination: { write: (line: string) => void logLines.push(JSON.parse(line) as Record<string, unknown>) },
  });
  gateway = await startGateway(config, { logger, port: 0 });
});
afterAll(async () => {
  await sim.close();
});

async function openStream(
  requestId: string,
): Promise<{ text: () => Promise<string>; firstChunk: Promise<void> }> {
  const response = await fetch(`${gateway.url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-request-id": requestId },
    body: JSON.stringify({ model: "slow", messages: [{ role: "user", content: "hi" }], stream: true }),
  });
  expect(response.status).toBe(200);
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let text = "";
  let sawChunk: () => void = () => {};
  const firstChunk = new Promise<void>((resolve) => (sawChunk = resolve));
  const done = (async () => {
    for (;;) {
      const { value, done: ended } = await reader.read().catch(() => ({ value: undefined, done: true }));
      if (ended) return text;
      text += decoder.decode(value, { stream: true });
      if (text.includes("chat.completion.chunk")) sawChunk();
    }
  })();
  return { text: () => done, firstChunk };
}

describe("streams still open when the shutdown grace ends", () => {
  it("get an in-band gateway_shutdown error event and their end, and one log line each", async () => {
    const streams = await Promise.all([openStream("cut-stream-1"), openStream("cut-stream-2")]);
    await Promise.all(streams.map((stream) => stream.firstChunk));
    const started = Date.now();
    await gateway.close(300);
    expect(Date.now() - started).toBeLessThan(3000);
    for (const stream of streams) {
      const text = await stream.text();
      expect(text).not.toContain("[DONE]");
      const events = text.split("\n\n").filter((event) => event.startsWith("data: "));
      const last = JSON.parse(events.at(-1)!.slice("data: ".length)) as Record<string, unknown>;
      expect(last).toEqual({
        error: {
          message: expect.stringContaining("shut down"),
          type: "server_error",
          param: null,
          code: "gateway_shutdown",
        },
      });
    }
    const cut = logLines.filter((line) => String(line["msg"]).startsWith("stream cut at shutdown"));
    expect(cut.map((line) => line["requestId"]).sort()).toEqual(["cut-stream-1", "cut-stream-2"]);
    expect(cut.every((line) => line["level"] === 40)).toBe(true);
    // The upstream requests were aborted, not left streaming.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(sim.requests.filter((r) => r.aborted)).toHaveLength(2);
  });
});
