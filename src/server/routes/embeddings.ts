import { performance } from "node:perf_hooks";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { LlmuxError } from "../../errors/index.js";
import { sendError } from "../error-reply.js";
import type { GatewayServerOptions } from "../options.js";
import { noteOf } from "../request-log.js";
import { validateEmbeddingsRequest } from "../validate.js";
import { callOptionsOf, outcomeHeaders } from "./chat.js";

/** `POST /v1/embeddings` (float and base64 pass through as the upstream encodes them). */
export function registerEmbeddingsRoute(app: FastifyInstance, options: GatewayServerOptions): void {
  app.post("/v1/embeddings", async (request: FastifyRequest, reply: FastifyReply) => {
    const started = performance.now();
    const note = noteOf(request);
    try {
      const body = validateEmbeddingsRequest(request.body);
      note.model = body.model;
      const outcome = await options.engine.embeddings(
        body.model,
        body,
        callOptionsOf(request, reply.raw, body),
      );
      const overheadMs = performance.now() - started - outcome.upstreamMs;
      Object.assign(note, {
        deployment: outcome.deployment.id,
        attempts: outcome.attempts.length,
        upstreamMs: outcome.upstreamMs,
        overheadMs,
      });
      options.metrics?.observeOverhead(overheadMs / 1000, false);
      return reply.headers(outcomeHeaders(outcome, overheadMs)).send(outcome.body);
    } catch (error) {
      note.errorCode = error instanceof LlmuxError ? error.code : "internal";
      return sendError(reply, error);
    }
  });
}
