import { performance } from "node:perf_hooks";
import type { ServerResponse } from "node:http";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { Cancellation, type CallOptions, type Outcome } from "../../core/index.js";
import { LlmuxError } from "../../errors/index.js";
import type { ChatRequest } from "../../types/index.js";
import { withRouterMetadata, type ChatPlan, type SmartRouting } from "../cache-routing.js";
import { setPlanHeaders } from "../dialect-routing.js";
import { bodyText } from "../json-body.js";
import type { GatewayServerOptions } from "../options.js";
import { writeError, writeJson } from "../raw-reply.js";
import { noteOf, type RequestNote } from "../request-log.js";
import type { SpendControl } from "../spend-control.js";
import { writeSse } from "../sse-writer.js";
import { validateChatRequest } from "../validate.js";

/** Headers that say what happened: who answered, after how many attempts, at what cost. */
export function outcomeHeaders(outcome: Outcome, overheadMs: number): Record<string, string> {
  return {
    "x-request-id": outcome.requestId,
    "x-llmux-deployment": outcome.deployment.id,
    "x-llmux-model": outcome.deployment.model,
    "x-llmux-attempts": String(
      outcome.attempts.length + (outcome.attempts.at(-1)?.kind === "success" ? 0 : 1),
    ),
    "x-llmux-overhead-ms": overheadMs.toFixed(3),
  };
}

/** Where a response keeps the cancellation `clientGone` made for it. */
const goneKey = Symbol("llmux.clientGone");

type WatchedResponse = ServerResponse & { [goneKey]?: Cancellation };

/** The response's `close` listener, shared by every response (no closure per request). */
function onResponseClose(this: WatchedResponse): void {
  if (!this.writableFinished) this[goneKey]?.cancel();
}

/**
 * A cancellation that fires when the client goes away before the answer is complete (one per
 * response: a second call returns the same).
 */
export function clientGone(raw: ServerResponse): Cancellation {
  const watched = raw as WatchedResponse;
  const existing = watched[goneKey];
  if (existing !== undefined) return existing;
  const cancellation = new Cancellation();
  watched[goneKey] = cancellation;
  raw.on("close", onResponseClose);
  return cancellation;
}

/** The engine call options of a gateway request: client-gone cancellation, request id, the body's bytes. */
export function callOptionsOf(request: FastifyRequest, raw: ServerResponse, body: object): CallOptions {
  const text = bodyText(request);
  return {
    cancellation: clientGone(raw),
    requestId: request.id,
    source: text === undefined ? undefined : { body, text },
  };
}

function errorCodeOf(error: unknown): string {
  return error instanceof LlmuxError ? error.code : "internal";
}

/**
 * `POST /v1/chat/completions`, streaming and not. The route takes the response over from Fastify
 * (no reply pipeline on the hot path): the body goes upstream as the caller sent it with only
 * `model` changed, a non-streaming answer comes back as the upstream's bytes in one write, a
 * stream batch by batch (an OpenAI-compatible upstream's bytes as they came).
 */
export function registerChatRoute(app: FastifyInstance, options: GatewayServerOptions): void {
  app.post("/v1/chat/completions", (request: FastifyRequest, reply: FastifyReply) => {
    const started = performance.now();
    const note = noteOf(request);
    const raw = reply.raw;
    reply.hijack();
    let body: ChatRequest;
    try {
      body = validateChatRequest(request.body);
    } catch (error) {
      note.errorCode = errorCodeOf(error);
      writeError(raw, error, app.llmuxRedactor);
      return;
    }
    note.model = body.model;
    note.stream = body.stream === true;
    const call = callOptionsOf(request, raw, body);
    const smart = options.smartRouting;
    if (smart?.needsPlan(body.model))
      void routed(app, options, smart, request, body, call, raw, note, started);
    else if (body.stream === true)
      void answerStream(app, options, body.model, body, call, raw, note, started, null);
    else void answer(app, options, body.model, body, call, raw, note, started, null);
  });
}

/** Headers of an answer served from the response cache: no upstream, no attempt. */
function hitHeaders(requestId: string, plan: ChatPlan, deploymentId: string | null, overheadMs: number) {
  return {
    "x-request-id": requestId,
    "x-llmux-deployment": deploymentId ?? "cache",
    "x-llmux-attempts": "0",
    "x-llmux-overhead-ms": overheadMs.toFixed(3),
    ...plan.headers,
  };
}

/** Writes a cache hit: the stored body, or the stored answer replayed as an SSE stream. */
function writeHit(
  raw: ServerResponse,
  smart: SmartRouting,
  plan: ChatPlan,
  requestId: string,
  note: RequestNote,
  started: number,
): void {
  const hit = plan.hit;
  if (hit === null) return;
  const overheadMs = performance.now() - started;
  note.deployment = hit.entry.deploymentId;
  note.attempts = 0;
  note.overheadMs = overheadMs;
  const headers = hitHeaders(requestId, plan, hit.entry.deploymentId, overheadMs);
  if (hit.replay.kind === "body") {
    const bytes = Buffer.from(hit.replay.body.buffer, hit.replay.body.byteOffset, hit.replay.body.byteLength);
    writeJson(raw, 200, headers, smart.settings.metadataInBody ? withRouterMetadata(bytes, plan) : bytes);
    return;
  }
  if (raw.destroyed || raw.headersSent) return;
  raw.writeHead(200, { ...sseReplayHeaders, ...headers });
  raw.end(hit.replay.events.join(""));
}

const sseReplayHeaders = {
  "content-type": "text/event-stream; charset=utf-8",
  "cache-control": "no-cache",
  connection: "keep-alive",
  "x-accel-buffering": "no",
};

/** A chat request through the smart routing: rules, cache, affinity; then the engine. */
async function routed(
  app: FastifyInstance,
  options: GatewayServerOptions,
  smart: SmartRouting,
  request: FastifyRequest,
  body: ChatRequest,
  call: CallOptions,
  raw: ServerResponse,
  note: RequestNote,
  started: number,
): Promise<void> {
  let plan: ChatPlan;
  try {
    plan = await smart.plan(body, request.headers, null);
  } catch (error) {
    note.errorCode = errorCodeOf(error);
    writeError(raw, error, app.llmuxRedactor);
    return;
  }
  if (plan.hit !== null) {
    writeHit(raw, smart, plan, request.id, note, started);
    return;
  }
  // On the response now, so an error answer says x-llmux-cache (and the intent, the rule) too.
  setPlanHeaders(raw, plan);
  if (plan.affinity?.deploymentId) call.prefer = plan.affinity.deploymentId;
  if (body.stream === true)
    await answerStream(app, options, plan.group, body, call, raw, note, started, plan);
  else await answer(app, options, plan.group, body, call, raw, note, started, plan);
}

async function answer(
  app: FastifyInstance,
  options: GatewayServerOptions,
  group: string,
  body: ChatRequest,
  call: CallOptions,
  raw: ServerResponse,
  note: RequestNote,
  started: number,
  plan: ChatPlan | null,
): Promise<void> {
  const spend = options.spend;
  let admitted: Awaited<ReturnType<SpendControl["admit"]>> | null = null;
  try {
    if (spend && !spend.admitsAsIs(call.requestId ?? "", group))
      admitted = await spend.admit(call.requestId ?? "", group, body, "chat", call);
    const outcome = await options.engine.chat(admitted?.group ?? group, body, call);
    const overheadMs = performance.now() - started - outcome.upstreamMs;
    let bytes: Buffer | string = outcome.raw
      ? Buffer.from(outcome.raw.buffer, outcome.raw.byteOffset, outcome.raw.byteLength)
      : JSON.stringify(outcome.body);
    const headers = outcomeHeaders(outcome, overheadMs);
    if (spend) {
      Object.assign(headers, spend.headersFor(admitted?.spend ?? null, outcome.deployment, true));
      note.costUsd = admitted?.spend?.priced ? admitted.spend.usd : null;
    }
    const smart = options.smartRouting;
    if (plan !== null && smart !== undefined) {
      smart.answered(plan, outcome.deployment.id);
      smart.saveBody(plan, bytes, outcome.deployment.id);
      Object.assign(headers, plan.headers);
      if (smart.settings.metadataInBody)
        bytes = withRouterMetadata(typeof bytes === "string" ? Buffer.from(bytes) : bytes, plan);
    }
    // The note first: the log line is written when the response finishes.
    note.deployment = outcome.deployment.id;
    note.attempts = outcome.attempts.length;
    note.upstreamMs = outcome.upstreamMs;
    note.overheadMs = overheadMs;
    note.hedge = outcome.hedge;
    writeJson(raw, 200, headers, bytes);
    options.metrics?.observeOverhead(overheadMs / 1000, false);
  } catch (error) {
    spend?.abandon(admitted?.spend ?? null);
    note.errorCode = errorCodeOf(error);
    if (error instanceof LlmuxError) note.attempts = error.attempts.length;
    writeError(raw, error, app.llmuxRedactor);
  }
}

async function answerStream(
  app: FastifyInstance,
  options: GatewayServerOptions,
  group: string,
  body: ChatRequest,
  call: CallOptions,
  raw: ServerResponse,
  note: RequestNote,
  started: number,
  plan: ChatPlan | null,
): Promise<void> {
  let outcome;
  const spend = options.spend;
  let admitted: Awaited<ReturnType<SpendControl["admit"]>> | null = null;
  try {
    if (spend && !spend.admitsAsIs(call.requestId ?? "", group))
      admitted = await spend.admit(call.requestId ?? "", group, body, "chat", call);
    outcome = await options.engine.chatStream(admitted?.group ?? group, body, call);
  } catch (error) {
    spend?.abandon(admitted?.spend ?? null);
    note.errorCode = errorCodeOf(error);
    if (error instanceof LlmuxError) note.attempts = error.attempts.length;
    writeError(raw, error, app.llmuxRedactor);
    return;
  }
  const overheadMs =
    performance.now() - started - outcome.upstreamMs - (outcome.committedHr - outcome.attemptStartedHr);
  note.deployment = outcome.deployment.id;
  note.overheadMs = overheadMs;
  options.metrics?.observeOverhead(overheadMs / 1000, true);
  const link = { streams: app.llmuxStreams, requestId: call.requestId ?? "", abort: () => outcome.abort() };
  const streamed = outcome;
  const headers = outcomeHeaders(streamed, overheadMs);
  if (spend) Object.assign(headers, spend.headersFor(admitted?.spend ?? null, streamed.deployment, false));
  const smart = options.smartRouting;
  if (plan !== null && smart !== undefined) {
    smart.answered(plan, streamed.deployment.id);
    smart.tapStream(plan, streamed);
    Object.assign(headers, plan.headers);
  }
  await writeSse(
    raw,
    streamed,
    headers,
    (end) => {
      note.attempts = streamed.attempts.length;
      note.upstreamMs = streamed.totalUpstreamMs;
      note.recovery = streamed.recovery;
      note.hedge = streamed.hedge;
      if (admitted?.spend?.priced) note.costUsd = admitted.spend.usd;
      note.errorCode =
        end.kind === "done"
          ? null
          : end.kind === "client_gone"
            ? "client_gone"
            : end.error instanceof LlmuxError
              ? end.error.code
              : "stream_error";
    },
    link,
    spend && body.stream_options?.include_usage === true ? spend.usageCost(streamed.deployment.id) : null,
  );
}

/** The fields of the one log line per request (no bodies). */
export function logFields(
  request: FastifyRequest,
  note: RequestNote,
  status: number,
  latencyMs: number,
): Record<string, unknown> {
  const fields: Record<string, unknown> = {
    requestId: note.requestId,
    method: request.method,
    route: request.routeOptions.url ?? request.url,
    model: note.model,
    deployment: note.deployment,
    attempts: note.attempts,
    status,
    stream: note.stream,
    latencyMs: Math.round(latencyMs * 1000) / 1000,
    upstreamMs: Math.round(note.upstreamMs * 1000) / 1000,
    overheadMs: note.overheadMs === null ? null : Math.round(note.overheadMs * 1000) / 1000,
    errorCode: note.errorCode,
  };
  // Present only when there is one (in this order).
  if (note.costUsd !== null) fields["costUsd"] = note.costUsd;
  if (note.recovery !== null) fields["recovery"] = note.recovery;
  if (note.hedge !== null) fields["hedge"] = note.hedge;
  return fields;
}
