import { performance } from "node:perf_hooks";
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import { nextRequestIdFromHeader } from "./request-id.js";
import { GatewayKeys, presentedKey } from "./auth.js";
import { ClientRateLimiter } from "./client-rate-limit.js";
import { errorAnswer, retryHeaders } from "./error-reply.js";
import type { GatewayServerOptions } from "./options.js";
import { existingNote } from "./request-log.js";
import { logFields, registerChatRoute } from "./routes/chat.js";
import { registerEmbeddingsRoute } from "./routes/embeddings.js";
import { registerInfoRoutes } from "./routes/info.js";
import { registerStatusRoute } from "./routes/status.js";

const publicRoutes = new Set(["/health"]);

function unauthorized(reply: FastifyReply): FastifyReply {
  return reply.code(401).send({
    error: {
      message: "Invalid or missing gateway API key (send Authorization: Bearer <key> or x-api-key).",
      type: "invalid_request_error",
      param: null,
      code: "invalid_api_key",
    },
  });
}

/**
 * Builds the gateway's HTTP shell: OpenAI-compatible routes over the engine, gateway-key auth,
 * optional per-key / per-IP request limits, one log line and metrics per request, and the single
 * error mapping. Does not listen; the CLI does.
 */
export function createGatewayServer(options: GatewayServerOptions): FastifyInstance {
  const app = Fastify({
    logger: false,
    bodyLimit: options.bodyLimitBytes,
    genReqId: nextRequestIdFromHeader,
    forceCloseConnections: "idle",
    return503OnClosing: true,
  });
  const keys = new GatewayKeys(options.auth.keys);
  const perKey = options.rateLimit.perKeyRpm ? new ClientRateLimiter(options.rateLimit.perKeyRpm) : null;
  const perIp = options.rateLimit.perIpRpm ? new ClientRateLimiter(options.rateLimit.perIpRpm) : null;
  const started = new WeakMap<FastifyRequest, number>();

  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    ["application/json", "text/plain"],
    { parseAs: "string" },
    (_request, body, done) => {
      const text = typeof body === "string" ? body : body.toString("utf8");
      if (text.trim() === "") {
        done(
          Object.assign(new Error("empty body"), { code: "FST_ERR_CTP_EMPTY_JSON_BODY", statusCode: 400 }),
          undefined,
        );
        return;
      }
      try {
        done(null, JSON.parse(text) as unknown);
      } catch (error) {
        done(
          Object.assign(error as Error, { code: "FST_ERR_CTP_INVALID_JSON_BODY", statusCode: 400 }),
          undefined,
        );
      }
    },
  );

  // Callback-style hooks: no promise per request on the hot path.
  app.addHook("onRequest", (request, reply, done) => {
    started.set(request, performance.now());
    if (keys.open && !perKey && !perIp) {
      done();
      return;
    }
    const route = request.routeOptions.url ?? request.url;
    const isPublic =
      publicRoutes.has(route) ||
      (route === "/status" && options.auth.publicStatus) ||
      (route === "/metrics" && options.auth.publicMetrics);
    const key = presentedKey(request.headers);
    if (!isPublic && !keys.open && !keys.matches(key)) {
      unauthorized(reply);
      return;
    }
    if (route.startsWith("/v1/")) {
      const wait = Math.max(perKey && key ? perKey.take(key) : 0, perIp ? perIp.take(request.ip) : 0);
      if (wait > 0) {
        reply
          .code(429)
          .headers(retryHeaders(wait))
          .send({
            error: {
              message: "Gateway request limit reached for this client; retry later.",
              type: "rate_limit_error",
              param: null,
              code: "rate_limit_exceeded",
            },
          });
        return;
      }
    }
    done();
  });

  const logsRequests = options.logger.isLevelEnabled?.("info") ?? true;
  app.addHook("onResponse", (request, reply, done) => {
    const begin = started.get(request);
    const seconds = begin === undefined ? 0 : (performance.now() - begin) / 1000;
    const route = request.routeOptions.url ?? "unknown";
    options.metrics?.observeHttp(route, request.method, reply.statusCode, seconds);
    const note = logsRequests ? existingNote(request) : undefined;
    if (note) options.logger.info(logFields(request, note, reply.statusCode, seconds * 1000), "request");
    done();
  });

  app.setErrorHandler((error, _request, reply) => {
    const answer = errorAnswer(error);
    if (answer.status >= 500)
      options.logger.error(
        { err: error instanceof Error ? error.message : String(error) },
        "unexpected error",
      );
    return reply.code(answer.status).headers(answer.headers).send(answer.body);
  });

  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({
      error: {
        message: `Unknown endpoint: ${request.method} ${request.url.split("?")[0] ?? ""}`,
        type: "invalid_request_error",
        param: null,
        code: "unknown_endpoint",
      },
    }),
  );

  registerChatRoute(app, options);
  registerEmbeddingsRoute(app, options);
  registerInfoRoutes(app, options);
  registerStatusRoute(app, options);
  app.get("/metrics", async (_request, reply) => {
    if (!options.metrics)
      return reply.code(404).send({
        error: { message: "Metrics are disabled.", type: "invalid_request_error", param: null, code: null },
      });
    return reply.type(options.metrics.contentType).send(await options.metrics.render());
  });
  return app;
}
