import { randomBytes } from "node:crypto";
import { performance } from "node:perf_hooks";
import type { ServerResponse } from "node:http";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { LRUCache } from "lru-cache";
import type { CallOptions, OutputBatch } from "../../core/index.js";
import {
  InvalidRequestError,
  LlmuxError,
  StreamInterruptedError,
  type SecretRedactor,
} from "../../errors/index.js";
import {
  createResponsesEventWriter,
  fromResponsesRequest,
  responsesHistory,
  toResponsesResponse,
  type ResponsesContext,
  type ResponsesEventWriter,
  type ResponsesInbound,
} from "../../providers/openai/index.js";
import type { JsonObject } from "../../providers/openai/responses/read.js";
import { isRecord } from "../../util/index.js";
import { chunkOf } from "../anthropic-stream.js";
import type { ChatPlan } from "../cache-routing.js";
import {
  bodyRecord,
  cachedChunks,
  cachedCompletion,
  cacheHitHeaders,
  planDialect,
  writeReplayedSse,
} from "../dialect-routing.js";
import { writeDialectSse, type DialectWriter } from "../dialect-sink.js";
import { noteCommittedStream } from "../dialect-stream-note.js";
import { bodyText } from "../json-body.js";
import type { GatewayServerOptions, ServerLogger } from "../options.js";
import { writeError, writeJson } from "../raw-reply.js";
import { noteOf, type RequestNote } from "../request-log.js";
import { clientGone, outcomeHeaders } from "./chat.js";
import { admitSpend } from "./messages.js";

/** Responses kept for `previous_response_id` (`store: true`), in memory, least recently used out. */
const storedResponsesMax = 1000;

/** The conversations of stored responses (input items then output items), by response id. */
export class StoredResponses {
  readonly #entries: LRUCache<string, unknown[]>;

  constructor(max = storedResponsesMax) {
    this.#entries = new LRUCache<string, unknown[]>({ max });
  }

  get(id: string): readonly unknown[] | undefined {
    return this.#entries.get(id);
  }

  /** Keeps the conversation up to and including `response`. */
  keep(history: readonly unknown[], body: unknown, response: JsonObject): void {
    const id = response["id"];
    if (typeof id === "string") this.#entries.set(id, responsesHistory(history, body, response));
  }
}

function responseId(): string {
  return `resp_${randomBytes(16).toString("hex")}`;
}

function errorCodeOf(error: unknown): string {
  return error instanceof LlmuxError ? error.code : "internal";
}

/** What a `/v1/responses` request carries through the engine. */
interface ResponsesCall {
  body: unknown;
  inbound: ResponsesInbound;
  history: readonly unknown[];
  context: ResponsesContext;
  call: CallOptions;
  note: RequestNote;
  started: number;
  /** The model group to call: the request's model unless a route rule chose another. */
  group: string;
  /** The smart routing's plan (rules, cache, affinity), null on the plain path. */
  plan: ChatPlan | null;
}

/** The history `previous_response_id` points at; a clear 400 when the gateway did not keep it. */
function historyOf(body: unknown, stored: StoredResponses): readonly unknown[] {
  const previous = isRecord(body) ? body["previous_response_id"] : undefined;
  if (typeof previous !== "string" || previous === "") return [];
  const history = stored.get(previous);
  if (history !== undefined) return history;
  throw new InvalidRequestError(
    `Previous response '${previous.slice(0, 64)}' not found: llmux keeps responses (in memory, the last ${storedResponsesMax}) only when they were created with store: true through this gateway; send the whole conversation as input instead.`,
    { param: "previous_response_id" },
  );
}

function logDropped(logger: ServerLogger, inbound: ResponsesInbound, requestId: string): void {
  if (inbound.droppedTools.length === 0 && inbound.droppedItems.length === 0) return;
  const debug = (logger as { debug?: (object: object, message?: string) => void }).debug;
  debug?.call(
    logger,
    { requestId, droppedTools: inbound.droppedTools, droppedItems: inbound.droppedItems },
    "responses: tools or items a chat upstream cannot run were dropped",
  );
}

/**
 * `POST /v1/responses` (Codex CLI, the openai SDK's `responses.create`, the AI SDK), streaming
 * and not. The request becomes the engine's chat request (instructions, input items, function
 * and custom tools; built-in tools dropped), served by any chat upstream with failover; the answer
 * is a Response object or the Responses event sequence. Stateless unless `store` is true: then the
 * conversation is kept (in memory, bounded) for a later `previous_response_id`. Errors use the
 * OpenAI error body; after the commit point a `response.failed` event.
 */
export function registerResponsesRoute(app: FastifyInstance, options: GatewayServerOptions): void {
  const stored = new StoredResponses();
  app.post("/v1/responses", (request: FastifyRequest, reply: FastifyReply) => {
    const started = performance.now();
    const note = noteOf(request);
    const raw = reply.raw;
    reply.hijack();
    let work: ResponsesCall;
    try {
      const body = request.body;
      const history = historyOf(body, stored);
      const inbound = fromResponsesRequest(body, { history });
      logDropped(options.logger, inbound, request.id);
      const context: ResponsesContext = {
        body,
        responseId: responseId(),
        createdAt: Math.floor(Date.now() / 1000),
        customTools: inbound.customTools,
      };
      const source = {
        body: body as object,
        text: bodyText(request) ?? JSON.stringify(body),
        dialect: "responses" as const,
      };
      const call: CallOptions = { cancellation: clientGone(raw), requestId: request.id, source };
      const group = inbound.request.model;
      work = { body, inbound, history, context, call, note, started, group, plan: null };
    } catch (error) {
      options.spend?.forget(request.id);
      note.errorCode = errorCodeOf(error);
      writeError(raw, error, app.llmuxRedactor);
      return;
    }
    note.model = work.inbound.request.model;
    note.stream = work.inbound.request.stream === true;
    const keep = work.inbound.store ? stored : null;
    if (options.smartRouting?.needsPlan(work.group)) void routed(app, options, work, raw, keep, request);
    else if (work.inbound.request.stream === true) void answerStream(app, options, work, raw, keep);
    else void answer(app, options, work, raw, keep);
  });
}

/**
 * A `/v1/responses` request through the smart routing (the chat route's rules, cache and
 * affinity): the affinity key from `prompt_cache_key` (Codex sends its session id there), `user`,
 * a session header or the instructions; the cache key from the body as sent. A hit is replayed as
 * a Response or as the Responses event sequence (with this request's response id).
 */
async function routed(
  app: FastifyInstance,
  options: GatewayServerOptions,
  work: ResponsesCall,
  raw: ServerResponse,
  keep: StoredResponses | null,
  request: FastifyRequest,
): Promise<void> {
  try {
    const view = { dialect: "responses" as const, body: bodyRecord(work.body) };
    work.plan = await planDialect(
      options.smartRouting,
      work.inbound.request,
      view,
      request.headers,
      work.call,
      raw,
    );
    if (work.plan !== null) work.group = work.plan.group;
    if (work.plan?.hit) {
      options.spend?.forget(request.id);
      writeHit(work, work.plan, raw, keep);
      return;
    }
  } catch (error) {
    options.spend?.forget(request.id);
    work.note.errorCode = errorCodeOf(error);
    writeError(raw, error, app.llmuxRedactor);
    return;
  }
  if (work.inbound.request.stream === true) await answerStream(app, options, work, raw, keep);
  else await answer(app, options, work, raw, keep);
}

/** Writes a cache hit in the Responses shape: a Response, or its event sequence for a stream. */
function writeHit(
  work: ResponsesCall,
  plan: ChatPlan,
  raw: ServerResponse,
  keep: StoredResponses | null,
): void {
  const { note } = work;
  const answer = plan.hit!.entry.answer;
  const overheadMs = performance.now() - work.started;
  note.deployment = plan.hit!.entry.deploymentId;
  note.attempts = 0;
  note.overheadMs = overheadMs;
  const headers = cacheHitHeaders(work.call.requestId ?? "", plan, overheadMs);
  if (work.inbound.request.stream !== true) {
    const response = toResponsesResponse(cachedCompletion(answer), work.context);
    keep?.keep(work.history, work.body, response);
    writeJson(raw, 200, headers, JSON.stringify(response));
    return;
  }
  const writer = createResponsesEventWriter(work.context);
  let text = "";
  for (const chunk of cachedChunks(answer)) text += writer.write(chunk);
  text += writer.finish();
  keep?.keep(work.history, work.body, writer.response());
  writeReplayedSse(raw, headers, text);
}

async function answer(
  app: FastifyInstance,
  options: GatewayServerOptions,
  work: ResponsesCall,
  raw: ServerResponse,
  keep: StoredResponses | null,
): Promise<void> {
  const { inbound, note } = work;
  let abandon = (): void => undefined;
  try {
    const admitted = await admitSpend(options, work.group, inbound.request, work.call);
    abandon = admitted.abandon;
    const outcome = await options.engine.chat(admitted.group, inbound.request, work.call);
    const overheadMs = performance.now() - work.started - outcome.upstreamMs;
    const smart = options.smartRouting;
    if (work.plan !== null && smart !== undefined) {
      smart.answered(work.plan, outcome.deployment.id);
      // Stored in its chat form: a hit is shaped as a Response again, with its own id.
      smart.saveBody(work.plan, JSON.stringify(outcome.body), outcome.deployment.id);
    }
    const response = toResponsesResponse(outcome.body, work.context);
    keep?.keep(work.history, work.body, response);
    note.deployment = outcome.deployment.id;
    note.attempts = outcome.attempts.length;
    note.upstreamMs = outcome.upstreamMs;
    note.overheadMs = overheadMs;
    writeJson(raw, 200, outcomeHeaders(outcome, overheadMs), JSON.stringify(response));
    options.metrics?.observeOverhead(overheadMs / 1000, false);
  } catch (error) {
    abandon();
    note.errorCode = errorCodeOf(error);
    if (error instanceof LlmuxError) note.attempts = error.attempts.length;
    writeError(raw, error, app.llmuxRedactor);
  }
}

/** The Responses error code of a failure after the commit point. */
function streamErrorCode(error: unknown): string {
  if (error instanceof StreamInterruptedError) {
    const cause = error.cause;
    const upstream = isRecord(cause) && isRecord(cause["error"]) ? cause["error"] : null;
    const code = upstream?.["code"] ?? upstream?.["type"];
    if (typeof code === "string" && code !== "") return code;
  }
  return "server_error";
}

/**
 * Writes a chat stream as Responses events: each chunk through the event writer; at the end
 * `response.completed` (the response kept when `store` is true); after a failure `response.failed`
 * with the error (secrets masked).
 */
export class ResponsesStreamWriter implements DialectWriter {
  readonly #writer: ResponsesEventWriter;

  constructor(
    context: ResponsesContext,
    private readonly redactor: SecretRedactor,
    private readonly completed: (response: JsonObject) => void,
  ) {
    this.#writer = createResponsesEventWriter(context);
  }

  batch(batch: OutputBatch): string {
    let out = "";
    for (const event of batch.events) out += this.#writer.write(chunkOf(event));
    return out;
  }

  done(): string {
    const out = this.#writer.finish();
    this.completed(this.#writer.response());
    return out;
  }

  error(error: unknown): string {
    const message = this.redactor.redact(error instanceof Error ? error.message : String(error));
    return this.#writer.failed({ code: streamErrorCode(error), message });
  }
}

async function answerStream(
  app: FastifyInstance,
  options: GatewayServerOptions,
  work: ResponsesCall,
  raw: ServerResponse,
  keep: StoredResponses | null,
): Promise<void> {
  const { inbound, note, call } = work;
  let outcome;
  let abandon = (): void => undefined;
  try {
    const admitted = await admitSpend(options, work.group, inbound.request, call);
    abandon = admitted.abandon;
    outcome = await options.engine.chatStream(admitted.group, inbound.request, call);
  } catch (error) {
    abandon();
    note.errorCode = errorCodeOf(error);
    if (error instanceof LlmuxError) note.attempts = error.attempts.length;
    writeError(raw, error, app.llmuxRedactor);
    return;
  }
  const streamed = outcome;
  const { overheadMs, onEnd } = noteCommittedStream(options, note, work.started, work.plan, streamed, true);
  const writer = new ResponsesStreamWriter(work.context, app.llmuxRedactor, (response) =>
    keep?.keep(work.history, work.body, response),
  );
  const link = { streams: app.llmuxStreams, requestId: call.requestId ?? "", abort: () => streamed.abort() };
  await writeDialectSse(raw, streamed, outcomeHeaders(streamed, overheadMs), writer, onEnd, link);
}
