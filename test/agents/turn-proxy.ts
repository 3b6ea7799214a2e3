/**
 * A thin HTTP proxy in front of the simulator's chat completions endpoint that plays the part of
 * a model ending its tool loop: a request whose conversation ends with tool results is forwarded
 * without its tools, so the simulator answers it with text instead of calling the tool again (the
 * simulator calls a tool whenever the last user message says "call a tool", and in a chat
 * conversation that message stays the last `user` one after the tool results). Everything else is
 * forwarded as it came; answers stream back as the simulator's bytes.
 */
import { createServer, request as httpRequest, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface TurnProxy {
  /** `http://127.0.0.1:PORT/v1`. */
  readonly url: string;
  /** Bodies as llmux sent them, oldest first. */
  readonly bodies: unknown[];
  close(): Promise<void>;
}

function endsWithToolResult(body: unknown): boolean {
  if (typeof body !== "object" || body === null) return false;
  const messages = (body as { messages?: unknown }).messages;
  if (!Array.isArray(messages)) return false;
  const last: unknown = messages.at(-1);
  return typeof last === "object" && last !== null && (last as { role?: unknown }).role === "tool";
}

async function readAll(incoming: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of incoming) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Starts the proxy in front of `target` (the simulator's `/v1` URL). */
export async function startTurnProxy(target: string): Promise<TurnProxy> {
  const upstream = new URL(target);
  const bodies: unknown[] = [];
  const server: Server = createServer((incoming, outgoing) => {
    void readAll(incoming).then((bytes) => {
      let forwarded = bytes;
      try {
        const body = JSON.parse(bytes.toString("utf8")) as Record<string, unknown>;
        bodies.push(body);
        if (endsWithToolResult(body)) {
          delete body["tools"];
          delete body["tool_choice"];
          delete body["parallel_tool_calls"];
          forwarded = Buffer.from(JSON.stringify(body));
        }
      } catch {
        bodies.push(null);
      }
      const headers = {
        ...incoming.headers,
        host: upstream.host,
        "content-length": String(forwarded.length),
      };
      const path = `${upstream.pathname.replace(/\/v1\/?$/, "")}${incoming.url ?? ""}`;
      const proxied = httpRequest(
        { host: upstream.hostname, port: upstream.port, method: incoming.method, path, headers },
        (answer) => {
          outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(outgoing);
        },
      );
      proxied.on("error", () => outgoing.destroy());
      proxied.end(forwarded);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    bodies,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
