import type { ServerResponse } from "node:http";
import type { CallOptions } from "../core/index.js";
import {
  bodyToChunks,
  chunksToBody,
  isCompleteCompletion,
  parseChunks,
  type CachedAnswer,
} from "../core/cache/index.js";
import type { RuleHeaders } from "../core/routing/index.js";
import type { ChatCompletionBody, ChatCompletionChunkBody, ChatRequest } from "../types/index.js";
import { isRecord } from "../util/index.js";
import type { ChatPlan, DialectView, SmartRouting } from "./cache-routing.js";

/**
 * The smart routing of a request that came in another dialect (`/v1/messages`, `/v1/responses`):
 * the same `SmartRouting.plan` as the chat route (rules on the request as the engine sees it, the
 * affinity key and the cache key from the body as the caller sent it). Null when nothing applies to
 * the model (the plain path). The plan's headers are set on the response at once, so every answer —
 * an error too — carries `x-llmux-cache`, the intent and the rule; the affinity's deployment becomes
 * `call.prefer`.
 */
export async function planDialect(
  smart: SmartRouting | undefined,
  chat: ChatRequest,
  view: DialectView,
  headers: RuleHeaders,
  call: CallOptions,
  raw: ServerResponse,
): Promise<ChatPlan | null> {
  if (smart === undefined || !smart.needsPlan(chat.model)) return null;
  const plan = await smart.plan(chat, headers, null, view);
  setPlanHeaders(raw, plan);
  if (plan.affinity?.deploymentId) call.prefer = plan.affinity.deploymentId;
  return plan;
}

/** Sets a plan's answer headers on the response (merged into whatever `writeHead` sends later). */
export function setPlanHeaders(raw: ServerResponse, plan: ChatPlan): void {
  if (raw.headersSent) return;
  for (const [name, value] of Object.entries(plan.headers)) raw.setHeader(name, value);
}

/** The body of a dialect request as a record (an empty one when it is not an object). */
export function bodyRecord(body: unknown): Readonly<Record<string, unknown>> {
  return isRecord(body) ? body : {};
}

/** The headers of an answer served from the response cache: no upstream, no attempt. */
export function cacheHitHeaders(
  requestId: string,
  plan: ChatPlan,
  overheadMs: number,
): Record<string, string> {
  return {
    "x-request-id": requestId,
    "x-llmux-deployment": plan.hit?.entry.deploymentId ?? "cache",
    "x-llmux-attempts": "0",
    "x-llmux-overhead-ms": overheadMs.toFixed(3),
    ...plan.headers,
  };
}

/** The `chat.completion` a cached answer stands for (a stored body, or the chunks of a stored stream added up). */
export function cachedCompletion(answer: CachedAnswer): ChatCompletionBody {
  if (answer.kind === "stream") return chunksToBody(parseChunks(answer.chunks));
  const body: unknown = JSON.parse(new TextDecoder().decode(answer.body));
  if (!isCompleteCompletion(body)) throw new Error("The cached body is not a complete chat.completion.");
  return body;
}

/** The chat chunks a cached answer streams as (its own, or a stored body's), the usage chunk included. */
export function cachedChunks(answer: CachedAnswer): ChatCompletionChunkBody[] {
  if (answer.kind === "stream") return parseChunks(answer.chunks);
  return bodyToChunks(cachedCompletion(answer), true);
}

const sseHeaders = {
  "content-type": "text/event-stream; charset=utf-8",
  "cache-control": "no-cache",
  connection: "keep-alive",
  "x-accel-buffering": "no",
};

/** Writes a replayed stream (its whole text at once: it is complete, nothing is waited for). */
export function writeReplayedSse(raw: ServerResponse, headers: Record<string, string>, text: string): void {
  if (raw.destroyed || raw.headersSent) return;
  raw.writeHead(200, { ...sseHeaders, ...headers });
  raw.end(text);
}
