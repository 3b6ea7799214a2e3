import type { CapacityObservation } from "../../src/core/capacity/index.js";
import type { BucketMark } from "../../src/types/index.js";
import {
  exponential,
  ModelProvider,
  seededRng,
  type HeaderStyle,
  type ModelAnswer,
  type ModelLimit,
} from "./bucket-model.js";

/** What the loop needs of a gate: `LearnedCapacity`, or a baseline. */
export interface PacingGate {
  take(
    key: string,
    now: number,
    cost: { requests: number; tokens: number },
  ):
    | { ok: true; mark: BucketMark | null }
    | { ok: false; retryAt: number }
    | Promise<{ ok: true; mark: BucketMark | null } | { ok: false; retryAt: number }>;
  observe(key: string, observation: CapacityObservation): void;
}

export interface PacingScenario {
  style: HeaderStyle;
  requests?: ModelLimit;
  tokens?: ModelLimit;
  /** Offered load as a share of what the binding limit refills. */
  load: number;
  durationMs: number;
  /** Each request's token estimate (prompt estimate + max_tokens), uniform in this range. */
  tokensPerRequest: [number, number];
  /** The provider charges the estimate times a factor in this range (prompt estimates are off). */
  chargeError?: [number, number];
  /** Send → provider admission, and admission → answer (headers), ms. */
  toAdmission: [number, number];
  toAnswer: [number, number];
  /** How long a request may wait for capacity before it is turned away (the engine's maxWaitMs). */
  maxWaitMs: number;
  /** Answers a request admitted at `now` charged `tokens`; default: the bucket model of `requests`/`tokens`/`style`. */
  provider?: (now: number, tokens: number) => Promise<ModelAnswer>;
  /** Nodes; arrivals are dealt to them in turn. They share the provider key. */
  gates: PacingGate[];
  seed: number;
}

export interface PacingResult {
  offered: number;
  sent: number;
  served: number;
  /** 429s from the provider. */
  rejected: number;
  turnedAway: number;
  /** Served as a share of what could have been (the offer, or the capacity if less), on the binding dimension. */
  used: number;
  /** 429s as a share of what was sent. */
  rejectedShare: number;
}

interface Waiting {
  arrivedAt: number;
  /** llmux's estimate, and what the provider will charge. */
  tokens: number;
  charged: number;
}

interface Node {
  gate: PacingGate;
  queue: Waiting[];
  wakeAt: number | null;
}

type Event =
  | { at: number; kind: "arrive"; node: Node; tokens: number; charged: number }
  | { at: number; kind: "wake"; node: Node }
  | { at: number; kind: "admit"; node: Node; sentAt: number; request: Waiting; mark: BucketMark | null }
  | { at: number; kind: "answer"; node: Node; observation: Parameters<PacingGate["observe"]>[1] };

/** A binary min-heap of events by time (then insertion order). */
class Events {
  readonly #heap: { event: Event; order: number }[] = [];
  #order = 0;

  push(event: Event): void {
    const heap = this.#heap;
    heap.push({ event, order: this.#order++ });
    for (let i = heap.length - 1; i > 0;) {
      const parent = (i - 1) >> 1;
      if (!before(heap[i]!, heap[parent]!)) break;
      [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
      i = parent;
    }
  }

  pop(): Event | undefined {
    const heap = this.#heap;
    const top = heap[0];
    const last = heap.pop();
    if (heap.length > 0 && last) {
      heap[0] = last;
      for (let i = 0; ;) {
        const left = 2 * i + 1;
        const right = left + 1;
        let least = i;
        if (left < heap.length && before(heap[left]!, heap[least]!)) least = left;
        if (right < heap.length && before(heap[right]!, heap[least]!)) least = right;
        if (least === i) break;
        [heap[i], heap[least]] = [heap[least]!, heap[i]!];
        i = least;
      }
    }
    return top?.event;
  }
}

function before(a: { event: Event; order: number }, b: { event: Event; order: number }): boolean {
  return a.event.at < b.event.at || (a.event.at === b.event.at && a.order < b.order);
}

const key = "deployment";
const start = 1_700_000_000_000;

/**
 * Runs Poisson arrivals at `load` against the provider model, through the gates, with a fake clock:
 * a node takes capacity for its queue head, sends it (the provider admits or 429s it after
 * `toAdmission`), queues on a denial until `retryAt`, turns requests away after `maxWaitMs`, and
 * hands every answer to its gate after `toAnswer`.
 */
export async function runPacing(scenario: PacingScenario): Promise<PacingResult> {
  const rng = seededRng(scenario.seed);
  const uniform = ([low, high]: [number, number]) => low + (high - low) * rng();
  const provider = new ModelProvider({ ...scenario, start });
  const meanTokens = (scenario.tokensPerRequest[0] + scenario.tokensPerRequest[1]) / 2;
  const requestRate = Math.min(
    scenario.requests ? scenario.requests.limit / scenario.requests.windowMs : Number.POSITIVE_INFINITY,
    scenario.tokens
      ? scenario.tokens.limit / scenario.tokens.windowMs / meanTokens
      : Number.POSITIVE_INFINITY,
  );
  const nodes: Node[] = scenario.gates.map((gate) => ({ gate, queue: [], wakeAt: null }));
  const events = new Events();
  const end = start + scenario.durationMs;
  let dealt = 0;
  for (let at = start + exponential(rng, 1 / (scenario.load * requestRate)); at < end;) {
    const tokens = Math.round(uniform(scenario.tokensPerRequest));
    const charged = Math.round(tokens * (scenario.chargeError ? uniform(scenario.chargeError) : 1));
    events.push({ at, kind: "arrive", node: nodes[dealt++ % nodes.length]!, tokens, charged });
    at += exponential(rng, 1 / (scenario.load * requestRate));
  }
  const count = {
    offered: dealt,
    offeredTokens: 0,
    sent: 0,
    served: 0,
    servedTokens: 0,
    rejected: 0,
    turnedAway: 0,
  };

  const drain = async (node: Node, now: number) => {
    while (node.queue.length > 0) {
      const head = node.queue[0]!;
      const result = await node.gate.take(key, now, { requests: 1, tokens: head.tokens });
      if (result.ok) {
        node.queue.shift();
        count.sent += 1;
        const at = now + uniform(scenario.toAdmission);
        events.push({ at, kind: "admit", node, sentAt: now, request: head, mark: result.mark });
        continue;
      }
      if (result.retryAt - head.arrivedAt > scenario.maxWaitMs) {
        node.queue.shift();
        count.turnedAway += 1;
        continue;
      }
      const wakeAt = Math.max(result.retryAt, now + 1);
      if (node.wakeAt === null || wakeAt < node.wakeAt) {
        node.wakeAt = wakeAt;
        events.push({ at: wakeAt, kind: "wake", node });
      }
      return;
    }
  };

  for (let event = events.pop(); event; event = events.pop()) {
    const now = event.at;
    if (event.kind === "arrive") {
      count.offeredTokens += event.charged;
      event.node.queue.push({ arrivedAt: now, tokens: event.tokens, charged: event.charged });
      if (event.node.queue.length === 1) await drain(event.node, now);
    } else if (event.kind === "wake") {
      if (event.node.wakeAt !== now) continue;
      event.node.wakeAt = null;
      await drain(event.node, now);
    } else if (event.kind === "answer") {
      event.node.gate.observe(key, event.observation);
    } else {
      const { tokens, charged } = event.request;
      const answer = scenario.provider
        ? await scenario.provider(now, charged)
        : provider.answer(now, charged);
      if (now <= end) {
        if (answer.status === 200) {
          count.served += 1;
          count.servedTokens += charged;
        } else count.rejected += 1;
      }
      const at = now + uniform(scenario.toAnswer);
      const observation = {
        sentAt: event.sentAt,
        at,
        mark: event.mark,
        cost: { requests: 1, tokens },
        outcome: answer.status === 200 ? ("success" as const) : ("rate_limited" as const),
        rateLimits: answer.headers,
        retryAfterMs: answer.retryAfterMs,
        usedTokens: null,
      };
      events.push({ at, kind: "answer", node: event.node, observation });
    }
  }

  const capacity = (limit: ModelLimit | undefined) =>
    limit
      ? limit.burst * limit.limit + (limit.limit / limit.windowMs) * scenario.durationMs
      : Number.POSITIVE_INFINITY;
  const used = Math.max(
    scenario.requests ? count.served / Math.min(count.offered, capacity(scenario.requests)) : 0,
    scenario.tokens ? count.servedTokens / Math.min(count.offeredTokens, capacity(scenario.tokens)) : 0,
  );
  return {
    offered: count.offered,
    sent: count.sent,
    served: count.served,
    rejected: count.rejected,
    turnedAway: count.turnedAway,
    used,
    rejectedShare: count.sent === 0 ? 0 : count.rejected / count.sent,
  };
}
