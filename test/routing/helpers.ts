import { startGateway, type RunningGateway } from "../../src/cli/gateway.js";
import { parseConfig } from "../../src/config/index.js";
import { createLogger } from "../../src/observability/index.js";

/** A gateway from YAML text (the real config path and wiring), on an ephemeral port. */
export async function gatewayFromYaml(yaml: string): Promise<RunningGateway> {
  const { config } = parseConfig(yaml, { file: "llmux.yaml", env: {} });
  return startGateway(config, { logger: createLogger({ level: "silent" }), port: 0, host: "127.0.0.1" });
}

/** POSTs a chat request; the answer's status, headers and text. */
export async function chat(
  gateway: RunningGateway,
  body: Record<string, unknown>,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Headers; text: string }> {
  const response = await fetch(`${gateway.url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

/** The `data:` payloads of an SSE text, checked for framing: every event is `data: …` + a blank line. */
export function sseData(text: string): string[] {
  const events = text.split("\n\n");
  const last = events.pop();
  if (last !== "") throw new Error(`the stream does not end with a blank line: ${JSON.stringify(last)}`);
  return events.map((event) => {
    if (!event.startsWith("data: ") || event.includes("\n")) throw new Error(`not one data line: ${event}`);
    return event.slice("data: ".length);
  });
}
