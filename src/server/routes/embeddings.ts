import { performance } from "node:perf_hooks";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { LlmuxError } from "../../errors/index.js";
import { sendError } from "../error-reply.js";
import type { GatewayServerOptions } from "../options.js";
import { noteOf } from "../request-log.js";
import type { SpendControl } from "../spend-control.js";
import { validateEmbeddingsRequest } from "../validate.js";
import { callOptionsOf, outcomeHeaders } from "./chat.js";

/** `POST /v1/embeddings` (float and base64 pass through as the upstream encodes them). */
export function registerEmbeddingsRoute(app: FastifyInstance, options: GatewayServerOptions): void {
  app.post("/v1/embeddings", async (request: FastifyRequest, reply: FastifyReply) => {
    const started = performance.now();
    const note = noteOf(request);
    const spend = options.spend;
    let admitted: Awaited<ReturnType<SpendControl["admit"]>> | null = null;
    try {
      const body = validateEmbeddingsRequest(request.body);
      note.model = body.model;
      const call = callOptionsOf(request, reply.raw, body);
      if (spend) admitted = await spend.admit(request.id, body.model, body, "embeddings", call);
      const outcome = await options.engine.embeddings(admitted?.group ?? body.model, body, call);
      const overheadMs = performance.now() - started - outcome.upstreamMs;
      Object.assign(note, {
        deployment: outcome.deployment.id,
        attempts: outcome.attempts.length,
        upstreamMs: outcome.upstreamMs,
        overheadMs,
      });
      options.metrics?.observeOverhead(overheadMs / 1000, false);
      const headers = outcomeHeaders(outcome, overheadMs);
      if (spend) {
        Object.assign(headers, spend.headersFor(admitted?.spend ?? null, outcome.deployment, true));
        note.costUsd = admitted?.spend?.priced ? admitted.spend.usd : null;
      }
      return reply.headers(headers).send(outcome.body);
    } catch (error) {
      spend?.abandon(admitted?.spend ?? null);
      note.errorCode = error instanceof LlmuxError ? error.code : "internal";
      return sendError(reply, error);
    }
  });
}
