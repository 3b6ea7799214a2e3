import { performance } from "node:perf_hooks";
import type { ServerResponse } from "node:http";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import {
  isAvailable,
  type CallOptions,
  type ChatOutcome,
  type Group,
  type Outcome,
} from "../../core/index.js";
import { estimatePromptTokens } from "../../core/estimate.js";
import { LlmuxError, ModelNotFoundError } from "../../errors/index.js";
import {
  anthropicMessageId,
  createAnthropicEventWriter,
  fromAnthropicCountTokensRequest,
  fromAnthropicRequest,
  toAnthropicCountTokens,
  toAnthropicMessage,
} from "../../providers/anthropic/index.js";
import type { ChatRequest, RequestSource } from "../../types/index.js";
import { writeAnthropicError } from "../anthropic-errors.js";
import { AnthropicStreamWriter } from "../anthropic-stream.js";
import type { ChatPlan } from "../cache-routing.js";
import {
  bodyRecord,
  cachedChunks,
  cachedCompletion,
  cacheHitHeaders,
  planDialect,
  writeReplayedSse,
} from "../dialect-routing.js";
import { writeDialectSse } from "../dialect-sink.js";
import { noteCommittedStream } from "../dialect-stream-note.js";
import { bodyText } from "../json-body.js";
import type { GatewayServerOptions } from "../options.js";
import { writeJson } from "../raw-reply.js";
import { noteOf, type RequestNote } from "../request-log.js";
import { clientGone, outcomeHeaders } from "./chat.js";

/**
 * Request headers of the Anthropic dialect kept for an Anthropic upstream (pass-through forwards
 * them) and for affinity routing (Claude Code's session id).
 */
const dialectHeaderNames = ["anthropic-version", "anthropic-beta", "x-claude-code-session-id"] as const;

/** The Anthropic dialect headers of a request, lower-case names. */
export function anthropicDialectHeaders(request: FastifyRequest): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const name of dialectHeaderNames) {
    const value = request.headers[name];
    if (typeof value === "string" && value !== "") headers[name] = value;
    else if (Array.isArray(value) && value.length > 0) headers[name] = value.join(",");
  }
  return headers;
}

/** True for the routes that answer in Anthropic's shape (errors included). */
export function isAnthropicRoute(route: string): boolean {
  return route === "/v1/messages" || route.startsWith("/v1/messages/") || route.startsWith("/v1/messages?");
}

function errorCodeOf(error: unknown): string {
  return error instanceof LlmuxError ? error.code : "internal";
}

/** What a `/v1/messages` request carries through the engine. */
interface MessagesCall {
  body: object;
  chat: ChatRequest;
  call: CallOptions;
  note: RequestNote;
  started: number;
  /** The model group to call: the request's model unless a route rule chose another. */
  group: string;
  /** The smart routing's plan (rules, cache, affinity), null on the plain path. */
  plan: ChatPlan | null;
}

function callOf(request: FastifyRequest, raw: ServerResponse, body: object): CallOptions {
  const source: RequestSource = {
    body,
    text: bodyText(request) ?? JSON.stringify(body),
    dialect: "anthropic",
    headers: anthropicDialectHeaders(request),
  };
  return { cancellation: clientGone(raw), requestId: request.id, source };
}

/** True when the deployment that answered passed the caller's Anthropic request through. */
function passedThrough(outcome: Outcome): boolean {
  return outcome.deployment.target.passThrough?.includes("anthropic") === true;
}

/**
 * `POST /v1/messages` (Claude Code, the Anthropic SDK) and `POST /v1/messages/count_tokens`. The
 * request is read once into the engine's chat request (for OpenAI-compatible and Gemini
 * upstreams, and for selection and estimates) and kept as it came: an Anthropic upstream gets the
 * caller's bytes with only `model` changed and its answer goes back as its bytes; any other
 * upstream's answer is translated (a Message, or the Messages event sequence). Errors in
 * Anthropic's shape.
 */
export function registerMessagesRoutes(app: FastifyInstance, options: GatewayServerOptions): void {
  app.post("/v1/messages", (request: FastifyRequest, reply: FastifyReply) => {
    const started = performance.now();
    const note = noteOf(request);
    const raw = reply.raw;
    reply.hijack();
    let chat: ChatRequest;
    try {
      chat = fromAnthropicRequest(request.body);
    } catch (error) {
      options.spend?.forget(request.id);
      note.errorCode = errorCodeOf(error);
      writeAnthropicError(raw, error, app.llmuxRedactor, request.id);
      return;
    }
    note.model = chat.model;
    note.stream = chat.stream === true;
    const body = request.body as object;
    const call = callOf(request, raw, body);
    const work: MessagesCall = { body, chat, call, note, started, group: chat.model, plan: null };
    if (options.smartRouting?.needsPlan(chat.model)) void routed(app, options, work, raw, request);
    else if (chat.stream === true) void answerStream(app, options, work, raw);
    else void answer(app, options, work, raw);
  });

  app.post("/v1/messages/count_tokens", (request: FastifyRequest, reply: FastifyReply) => {
    const note = noteOf(request);
    const raw = reply.raw;
    reply.hijack();
    let chat: ChatRequest;
    let group: Group;
    try {
      chat = fromAnthropicCountTokensRequest(request.body);
      note.model = chat.model;
      const found = options.engine.group(chat.model);
      if (found === undefined)
        throw new ModelNotFoundError(
          chat.model,
          options.engine.groups().map((known) => known.name),
        );
      group = found;
    } catch (error) {
      options.spend?.forget(request.id);
      note.errorCode = errorCodeOf(error);
      writeAnthropicError(raw, error, app.llmuxRedactor, request.id);
      return;
    }
    const body = request.body as object;
    options.spend?.forget(request.id);
    void countTokens(options, group, callOf(request, raw, body).source!, chat).then((counted) => {
      writeJson(raw, 200, { "x-request-id": request.id, "x-llmux-count": counted.by }, counted.body);
    });
  });
}

/**
 * A `/v1/messages` request through the smart routing (the chat route's rules, cache and affinity):
 * the affinity key from `X-Claude-Code-Session-Id`, `metadata.user_id` or the system prompt; the
 * cache key from the body as sent with `anthropic-beta`. A hit is replayed
 * as a Message or as the Messages event sequence.
 */
async function routed(
  app: FastifyInstance,
  options: GatewayServerOptions,
  work: MessagesCall,
  raw: ServerResponse,
  request: FastifyRequest,
): Promise<void> {
  try {
    // `anthropic-beta` changes what the model does; `anthropic-version` only the shape, which the
    // replay writes anew.
    const beta = work.call.source?.headers?.["anthropic-beta"];
    const keyHeaders = beta === undefined ? undefined : { "anthropic-beta": beta };
    const view = { dialect: "anthropic" as const, body: bodyRecord(work.body), keyHeaders };
    work.plan = await planDialect(options.smartRouting, work.chat, view, request.headers, work.call, raw);
    if (work.plan !== null) work.group = work.plan.group;
    if (work.plan?.hit) {
      options.spend?.forget(request.id);
      writeHit(work, work.plan, raw);
      return;
    }
  } catch (error) {
    options.spend?.forget(request.id);
    noteFailure(work.note, error);
    writeAnthropicError(raw, error, app.llmuxRedactor, request.id);
    return;
  }
  if (work.chat.stream === true) await answerStream(app, options, work, raw);
  else await answer(app, options, work, raw);
}

/** Writes a cache hit in Anthropic's shape: a Message, or its event sequence for a stream. */
function writeHit(work: MessagesCall, plan: ChatPlan, raw: ServerResponse): void {
  const { chat, note } = work;
  const answer = plan.hit!.entry.answer;
  const requestId = work.call.requestId ?? "";
  const overheadMs = performance.now() - work.started;
  note.deployment = plan.hit!.entry.deploymentId;
  note.attempts = 0;
  note.overheadMs = overheadMs;
  const headers = cacheHitHeaders(requestId, plan, overheadMs);
  headers["request-id"] = requestId;
  if (chat.stream !== true) {
    writeJson(raw, 200, headers, JSON.stringify(toAnthropicMessage(cachedCompletion(answer), chat.model)));
    return;
  }
  const writer = createAnthropicEventWriter({
    model: chat.model,
    messageId: anthropicMessageId(requestId),
    inputTokens: estimatePromptTokens(chat),
  });
  let text = "";
  for (const chunk of cachedChunks(answer)) text += writer.write(chunk);
  writeReplayedSse(raw, headers, text + writer.finish());
}

/** A target that can count an Anthropic request's tokens itself (the Anthropic target). */
interface TokenCounter {
  countTokens(source: RequestSource, model: string, signal: AbortSignal): Promise<object | null>;
}

function counterOf(target: object): TokenCounter | null {
  return "countTokens" in target && typeof target.countTokens === "function"
    ? (target as TokenCounter)
    : null;
}

const countTimeoutMs = 10_000;

/**
 * `count_tokens`: the count of the group's first available deployment whose upstream has the
 * endpoint (Anthropic), else — or when that fails — the gateway's estimate of the prompt.
 */
async function countTokens(
  options: GatewayServerOptions,
  group: Group,
  source: RequestSource,
  chat: ChatRequest,
): Promise<{ by: string; body: string }> {
  const now = Date.now();
  for (const deployment of group.deployments) {
    const counter = counterOf(deployment.target);
    if (counter === null || !isAvailable(options.engine.store.health(deployment.id), now)) continue;
    const counted = await counter.countTokens(source, deployment.model, AbortSignal.timeout(countTimeoutMs));
    if (counted !== null && typeof (counted as { input_tokens?: unknown }).input_tokens === "number")
      return { by: deployment.id, body: JSON.stringify(counted) };
    break;
  }
  return { by: "estimate", body: JSON.stringify(toAnthropicCountTokens(estimatePromptTokens(chat))) };
}

/**
 * The spend gate before the engine (virtual keys, budgets, `down_route_to`; issue 13), as the chat
 * route does: the group to route to and the request's spend record (abandon it when the engine
 * fails; it settles on the engine's events otherwise). Without spend control, the model as asked.
 */
export async function admitSpend(
  options: GatewayServerOptions,
  model: string,
  chat: ChatRequest,
  call: CallOptions,
): Promise<{ group: string; abandon: () => void }> {
  const spend = options.spend;
  if (!spend) return { group: model, abandon: () => undefined };
  const admitted = await spend.admit(call.requestId ?? "", model, chat, "chat", call);
  return { group: admitted.group, abandon: () => spend.abandon(admitted.spend) };
}

function noteFailure(note: RequestNote, error: unknown): void {
  note.errorCode = errorCodeOf(error);
  if (error instanceof LlmuxError) note.attempts = error.attempts.length;
}

/** The Message of a non-streaming answer: the Anthropic upstream's bytes, else the translated chat answer. */
function messageBytes(outcome: ChatOutcome, model: string): string | Buffer {
  if (passedThrough(outcome) && outcome.raw !== undefined)
    return Buffer.from(outcome.raw.buffer, outcome.raw.byteOffset, outcome.raw.byteLength);
  return JSON.stringify(toAnthropicMessage(outcome.body, model));
}

async function answer(
  app: FastifyInstance,
  options: GatewayServerOptions,
  work: MessagesCall,
  raw: ServerResponse,
): Promise<void> {
  const { chat, call, note } = work;
  let abandon = (): void => undefined;
  try {
    const admitted = await admitSpend(options, work.group, chat, call);
    abandon = admitted.abandon;
    const outcome = await options.engine.chat(admitted.group, chat, call);
    const overheadMs = performance.now() - work.started - outcome.upstreamMs;
    const bytes = messageBytes(outcome, chat.model);
    const smart = options.smartRouting;
    if (work.plan !== null && smart !== undefined) {
      smart.answered(work.plan, outcome.deployment.id);
      // A translated answer is stored in its chat form (replayed in the caller's shape); an
      // Anthropic upstream's own bytes (thinking signatures, server tools) are not.
      if (!passedThrough(outcome))
        smart.saveBody(work.plan, JSON.stringify(outcome.body), outcome.deployment.id);
    }
    note.deployment = outcome.deployment.id;
    note.attempts = outcome.attempts.length;
    note.upstreamMs = outcome.upstreamMs;
    note.overheadMs = overheadMs;
    const headers = outcomeHeaders(outcome, overheadMs);
    headers["request-id"] = outcome.requestId;
    writeJson(raw, 200, headers, bytes);
    options.metrics?.observeOverhead(overheadMs / 1000, false);
  } catch (error) {
    abandon();
    noteFailure(note, error);
    writeAnthropicError(raw, error, app.llmuxRedactor, call.requestId ?? null);
  }
}

async function answerStream(
  app: FastifyInstance,
  options: GatewayServerOptions,
  work: MessagesCall,
  raw: ServerResponse,
): Promise<void> {
  const { chat, call, note } = work;
  let outcome;
  let abandon = (): void => undefined;
  try {
    const admitted = await admitSpend(options, work.group, chat, call);
    abandon = admitted.abandon;
    outcome = await options.engine.chatStream(admitted.group, chat, call);
  } catch (error) {
    abandon();
    noteFailure(note, error);
    writeAnthropicError(raw, error, app.llmuxRedactor, call.requestId ?? null);
    return;
  }
  const streamed = outcome;
  const { overheadMs, onEnd } = noteCommittedStream(
    options,
    note,
    work.started,
    work.plan,
    streamed,
    !passedThrough(streamed),
  );
  const writer = new AnthropicStreamWriter(
    passedThrough(streamed),
    {
      model: chat.model,
      messageId: anthropicMessageId(streamed.requestId),
      inputTokens: estimatePromptTokens(chat),
    },
    app.llmuxRedactor,
  );
  const headers = outcomeHeaders(streamed, overheadMs);
  headers["request-id"] = streamed.requestId;
  const link = { streams: app.llmuxStreams, requestId: call.requestId ?? "", abort: () => streamed.abort() };
  await writeDialectSse(raw, streamed, headers, writer, onEnd, link);
}
