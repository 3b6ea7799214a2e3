import { performance } from "node:perf_hooks";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Outcome } from "../../core/index.js";
import { LlmuxError } from "../../errors/index.js";
import { sendError } from "../error-reply.js";
import type { GatewayServerOptions } from "../options.js";
import { noteOf } from "../request-log.js";
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

/** An abort signal that fires when the client goes away before the answer is complete. */
export function clientGone(reply: FastifyReply): AbortSignal {
  const controller = new AbortController();
  reply.raw.once("close", () => {
    if (!reply.raw.writableFinished) controller.abort();
  });
  return controller.signal;
}

/** `POST /v1/chat/completions`: streaming and not, every field but `model` passed through. */
export function registerChatRoute(app: FastifyInstance, options: GatewayServerOptions): void {
  const { engine, metrics } = options;
  app.post("/v1/chat/completions", async (request: FastifyRequest, reply: FastifyReply) => {
    const started = performance.now();
    const note = noteOf(request);
    try {
      const body = validateChatRequest(request.body);
      note.model = body.model;
      note.stream = body.stream === true;
      const call = { signal: clientGone(reply), requestId: request.id };
      if (body.stream === true) {
        const outcome = await engine.chatStream(body.model, body, call);
        const overheadMs =
          performance.now() - started - outcome.upstreamMs - (outcome.committedHr - outcome.attemptStartedHr);
        Object.assign(note, { deployment: outcome.deployment.id, overheadMs });
        reply.hijack();
        metrics?.observeOverhead(overheadMs / 1000, true);
        const link = { streams: app.llmuxStreams, requestId: request.id, abort: outcome.abort };
        await writeSse(
          reply.raw,
          outcome.batches,
          outcomeHeaders(outcome, overheadMs),
          (end) => {
            note.attempts = outcome.attempts.length;
            note.upstreamMs = outcome.upstreamMs;
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
        );
        return reply;
      }
      const outcome = await engine.chat(body.model, body, call);
      const overheadMs = performance.now() - started - outcome.upstreamMs;
      Object.assign(note, {
        deployment: outcome.deployment.id,
        attempts: outcome.attempts.length,
        upstreamMs: outcome.upstreamMs,
        overheadMs,
      });
      metrics?.observeOverhead(overheadMs / 1000, false);
      reply.headers(outcomeHeaders(outcome, overheadMs)).type("application/json");
      return reply.send(
        outcome.raw
          ? Buffer.from(outcome.raw.buffer, outcome.raw.byteOffset, outcome.raw.byteLength)
          : JSON.stringify(outcome.body),
      );
    } catch (error) {
      note.errorCode = error instanceof LlmuxError ? error.code : "internal";
      if (error instanceof LlmuxError) note.attempts = error.attempts.length;
      return sendError(reply, error);
    }
  });
}

/** The fields of the one log line per request (no bodies). */
export function logFields(
  request: FastifyRequest,
  note: ReturnType<typeof noteOf>,
  status: number,
  latencyMs: number,
): Record<string, unknown> {
  return {
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
}
