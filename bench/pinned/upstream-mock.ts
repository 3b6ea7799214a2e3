/**
 * The upstream of `npm run bench:gateway`: a minimal OpenAI-compatible mock on node:http that costs
 * as little as possible, so what the pinned core spends is mostly the proxy's. Answers
 * `POST …/chat/completions` with a fixed chat.completion (non-stream) or a 22-event stream (role
 * chunk, 20 content chunks, finish chunk; a usage chunk when `include_usage` is asked), each event
 * written on its own turn of the event loop so the proxy reads them as a real token stream, then
 * `data: [DONE]`. Prints `READY <base url>` once listening. argv[2]: `{ "port"?: number }`.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

const { port = 0 } = JSON.parse(process.argv[2] ?? "{}") as { port?: number };
const created = 1_767_225_600;
const id = "chatcmpl-bench0000000000000000000001";
const usage = { prompt_tokens: 9, completion_tokens: 20, total_tokens: 29 };
const completion = Buffer.from(
  JSON.stringify({
    id,
    object: "chat.completion",
    created,
    model: "gpt-4.1",
    choices: [
      {
        index: 0,
        message: { role: "assistant", content: "Hello! ".repeat(20).trim(), refusal: null },
        logprobs: null,
        finish_reason: "stop",
      },
    ],
    usage,
    system_fingerprint: "fp_bench",
  }),
);
const chunk = (delta: object, finish: string | null, extra: object = {}): string =>
  `data: ${JSON.stringify({
    id,
    object: "chat.completion.chunk",
    created,
    model: "gpt-4.1",
    system_fingerprint: "fp_bench",
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
    ...extra,
  })}\n\n`;
const events = [
  chunk({ role: "assistant", content: "", refusal: null }, null),
  ...Array.from({ length: 20 }, (_, index) => chunk({ content: index === 0 ? "Hello!" : " Hello!" }, null)),
  chunk({}, "stop"),
];
const usageEvent = `data: ${JSON.stringify({
  id,
  object: "chat.completion.chunk",
  created,
  model: "gpt-4.1",
  system_fingerprint: "fp_bench",
  choices: [],
  usage,
})}\n\n`;
const done = "data: [DONE]\n\n";

const server = createServer((incoming, outgoing) => {
  let body = "";
  incoming.setEncoding("utf8");
  incoming.on("data", (part: string) => (body += part));
  incoming.on("end", () => {
    if (incoming.method !== "POST" || !incoming.url?.endsWith("/chat/completions")) {
      outgoing.writeHead(404, { "content-type": "application/json" }).end('{"error":{"message":"no"}}');
      return;
    }
    if (!body.includes('"stream":true')) {
      outgoing.writeHead(200, { "content-type": "application/json", "content-length": completion.length });
      outgoing.end(completion);
      return;
    }
    const stream = body.includes('"include_usage":true') ? [...events, usageEvent, done] : [...events, done];
    outgoing.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
    let next = 0;
    const step = (): void => {
      if (outgoing.destroyed) return;
      const event = stream[next++];
      if (event === undefined) return;
      if (next === stream.length) outgoing.end(event);
      else {
        outgoing.write(event);
        setImmediate(step);
      }
    };
    step();
  });
});
server.keepAliveTimeout = 60_000;
server.listen(port, "127.0.0.1", () => {
  process.stdout.write(`READY http://127.0.0.1:${(server.address() as AddressInfo).port}/v1\n`);
});
process.on("SIGTERM", () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
