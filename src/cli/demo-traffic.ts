import type { EngineEvent } from "../types/index.js";
import { fallbackId } from "./demo-config.js";
import type { RunningGateway } from "./gateway.js";

/** What the demo's traffic saw, overall or in one second. */
export interface TrafficTally {
  sent: number;
  answered: number;
  /** Requests the caller saw fail: an error status, a failed connection, or a broken stream. */
  callerErrors: number;
  /** 429s the upstream answered the gateway (each was retried on another deployment). */
  upstream429: number;
  /** Other failed upstream attempts (the broken key's reset connections). */
  otherFailures: number;
  /** Extra attempts of answered requests: each is a failover to another deployment. */
  failovers: number;
  /** Requests answered by the fallback tier. */
  byFallback: number;
  byDeployment: Map<string, number>;
}

function freshTally(): TrafficTally {
  const zero = { sent: 0, answered: 0, callerErrors: 0, upstream429: 0, otherFailures: 0, failovers: 0 };
  return { ...zero, byFallback: 0, byDeployment: new Map() };
}

/** Something that happens at the start of a second of traffic; resolves to a note for that line. */
export interface TrafficEvent {
  second: number;
  run: () => Promise<string>;
}

function count(tallies: readonly TrafficTally[], event: EngineEvent): void {
  for (const tally of tallies) {
    if (event.type === "attempt_end" && event.outcome === "failure") {
      if (event.failure === "rate_limited") tally.upstream429 += 1;
      else tally.otherFailures += 1;
    }
    if (event.type === "request_end" && event.outcome === "success" && event.deploymentId !== null) {
      tally.failovers += event.attempts - 1;
      tally.byDeployment.set(event.deploymentId, (tally.byDeployment.get(event.deploymentId) ?? 0) + 1);
      if (event.deploymentId.startsWith(`${fallbackId}/`)) tally.byFallback += 1;
    }
  }
}

/** True when the answer is complete: a 200 JSON completion, or a stream ending in `[DONE]` with no error event. */
async function complete(response: Response, stream: boolean): Promise<boolean> {
  const body = await response.text();
  if (!response.ok) return false;
  if (!stream) return body.includes('"choices"');
  return body.trimEnd().endsWith("data: [DONE]") && !body.includes('data: {"error"');
}

function request(gateway: RunningGateway, index: number, stream: boolean): Promise<boolean> {
  return fetch(`${gateway.url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      model: "gpt-4.1",
      messages: [{ role: "user", content: `Request ${index}` }],
      stream,
    }),
  }).then(
    (response) => complete(response, stream),
    () => false,
  );
}

const header = " sec  sent  answered  caller errors  upstream 429s  failovers  by fallback  answered by";

function row(second: number, tally: TrafficTally): string {
  const who = [...tally.byDeployment.entries()].map(([id, n]) => `${id.split("/")[0]}:${n}`).join(" ");
  const cells = [
    String(second).padStart(4),
    String(tally.sent).padStart(5),
    String(tally.answered).padStart(9),
    String(tally.callerErrors).padStart(14),
    String(tally.upstream429).padStart(14),
    String(tally.failovers).padStart(10),
    String(tally.byFallback).padStart(12),
  ];
  return `${cells.join(" ")}  ${who}`;
}

/**
 * Sends `rate` requests per second for `seconds` (half of them streaming), runs `events` on their
 * second, prints one line per second, and resolves to the totals once every answer is in.
 */
export async function driveTraffic(
  gateway: RunningGateway,
  plan: { rate: number; seconds: number; events: readonly TrafficEvent[] },
  write: (text: string) => void,
): Promise<TrafficTally> {
  const total = freshTally();
  let second = freshTally();
  const unsubscribe = gateway.engine.events.on((event: EngineEvent) => count([total, second], event));
  write(`${header}\n`);
  const pending: Array<Promise<void>> = [];
  for (let s = 1; s <= plan.seconds; s += 1) {
    const notes = plan.events.filter((event) => event.second === s).map((event) => event.run());
    for (let i = 0; i < plan.rate; i += 1) {
      const tallies = [total, second];
      for (const tally of tallies) tally.sent += 1;
      const answer = request(gateway, total.sent, i % 2 === 0).then((ok) => {
        for (const tally of tallies) {
          if (ok) tally.answered += 1;
          else tally.callerErrors += 1;
        }
      });
      pending.push(answer);
      await new Promise((resolve) => setTimeout(resolve, 1000 / plan.rate));
    }
    write(`${row(s, second)}\n`);
    for (const note of await Promise.all(notes)) write(`       ↳ ${note}\n`);
    second = freshTally();
  }
  await Promise.all(pending);
  unsubscribe();
  return total;
}
