/**
 * Mid-stream recovery onto translated upstreams: the primary (OpenAI-compatible) is cut after 40 of
 * 60 words and the fallback speaks the Anthropic Messages API or Gemini — the continuation is sent
 * as that wire's assistant prefill (an Anthropic `assistant` turn, a Gemini `model` turn) and only
 * the rest of the answer reaches the caller; a fallback that refuses prefill regenerates and the
 * prefix is spliced off.
 */
import { afterEach, describe, expect, it } from "vitest";
import {
  ANSWER,
  FALLBACK_KEY,
  PRIMARY_KEY,
  startFailoverStack,
  type FailoverStack,
} from "../../bench/failover-scenarios.js";

let stack: FailoverStack | null = null;
afterEach(async () => {
  await stack?.close();
  stack = null;
});

async function streamed(
  client: FailoverStack["client"],
): Promise<{ text: string; ids: number; roles: number }> {
  const stream = await client.chat.completions.create({
    model: "chat",
    messages: [{ role: "user", content: "Count to sixty, please." }],
    stream: true,
  });
  let text = "";
  let roles = 0;
  const ids = new Set<string>();
  for await (const chunk of stream) {
    ids.add(chunk.id);
    if (chunk.choices[0]?.delta?.role !== undefined) roles += 1;
    text += chunk.choices[0]?.delta?.content ?? "";
  }
  return { text, ids: ids.size, roles };
}

describe.each(["anthropic", "gemini"] as const)("mid-stream recovery onto a %s fallback", (wire) => {
  it("continues with the wire's prefill and emits only the continuation", async () => {
    stack = await startFailoverStack({ fallbackWire: wire });
    stack.sim.addFault({ kind: "cut", key: PRIMARY_KEY, afterChunks: 40 });
    const { text, ids, roles } = await streamed(stack.client);
    expect(text).toBe(ANSWER);
    expect(ids).toBe(1);
    expect(roles).toBe(1);
    const continued = stack.sim.requests.find((r) => r.wire === wire)!;
    const turns = continued.body as { messages?: unknown[]; contents?: unknown[] };
    const last = (turns.messages ?? turns.contents)!.at(-1) as { role: string };
    expect(last.role).toBe(wire === "gemini" ? "model" : "assistant");
  });

  it("a fallback that rejects prefill is asked for the whole answer, and the prefix already sent is dropped", async () => {
    stack = await startFailoverStack({ fallbackWire: wire });
    stack.sim.addFault({ kind: "cut", key: PRIMARY_KEY, afterChunks: 40 });
    stack.sim.addFault({ kind: "prefill-rejected", key: FALLBACK_KEY });
    const { text } = await streamed(stack.client);
    expect(text).toBe(ANSWER);
    const statuses = stack.sim.requests.filter((r) => r.wire === wire).map((r) => r.status);
    expect(statuses).toEqual([400, 200]);
  });
});
