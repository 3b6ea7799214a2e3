import { performance } from "node:perf_hooks";
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import { clipText, SecretRedactor } from "../errors/index.js";
import { toAnthropicError } from "../providers/anthropic/index.js";
import { nextRequestIdFromHeader } from "./request-id.js";
import { GatewayKeys, presentedKey } from "./auth.js";
import { BodyReader } from "./body-reader.js";
import { ClientRateLimiter } from "./client-rate-limit.js";
import { onClientError } from "./client-error.js";
import { errorAnswer, retryHeaders, sendError } from "./error-reply.js";
import { decorateBodyText, parseJsonBody } from "./json-body.js";
import { OpenStreams } from "./open-streams.js";
import type { GatewayServerOptions } from "./options.js";
import { decorateRequestNotes, existingNote } from "./request-log.js";
import { logFields, registerChatRoute } from "./routes/chat.js";
import { registerEmbeddingsRoute } from "./routes/embeddings.js";
import { registerInfoRoutes } from "./routes/info.js";
import { isAnthropicRoute, registerMessagesRoutes } from "./routes/messages.js";
import { registerResponsesRoute } from "./routes/responses.js";
import { registerAdminRoutes } from "./routes/admin.js";
import { registerStatusRoute } from "./routes/status.js";
import { registerUiRoutes } from "./routes/ui.js";

declare module "fastify" {
  interface FastifyRequest {
    /** `performance.now()` when the request arrived (-1 before the onRequest hook ran); a request decoration. */
    llmuxStartedAt: number;
  }
}

const publicRoutes = new Set(["/health"]);

/** Defaults of the body bounds (the config's `server.*` defaults are the same). */
export const serverDefaults = { maxJsonDepth: 128, bodyTimeoutMs: 30_000, requestReadTimeoutMs: 60_000 };

function shuttingDown(reply: FastifyReply): FastifyReply {
  return reply
    .code(503)
    .header("connection", "close")
    .send({
      error: {
        message: "The gateway is shutting down; retry on another node.",
        type: "server_error",
        param: null,
        code: "gateway_shutdown",
      },
    });
}

function unauthorized(reply: FastifyReply, route: string): FastifyReply {
  if (isAnthropicRoute(route))
    return reply.code(401).send({
      type: "error",
      error: {
        type: "authentication_error",
        message: "Invalid or missing gateway API key (send x-api-key or Authorization: Bearer <key>).",
      },
      request_id: reply.request.id,
    });
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
 * error mapping. Bodies are bounded in size, nesting and time (408 when they stop arriving); HTTP
 * framing errors get the OpenAI error body too; configured secrets are masked in everything it
 * sends. Open SSE streams are registered in `app.llmuxStreams` (cut with an in-band error at
 * shutdown). Does not listen; the CLI does.
 */
export function createGatewayServer(options: GatewayServerOptions): FastifyInstance {
  const app = Fastify({
    logger: false,
    bodyLimit: options.bodyLimitBytes,
    genReqId: nextRequestIdFromHeader,
    forceCloseConnections: "idle",
    // Answered below with the OpenAI error body (Fastify's own 503 body is not).
    return503OnClosing: false,
    clientErrorHandler: onClientError,
    // A malformed or overlong URL: the OpenAI body, without echoing the URL.
    frameworkErrors: (error, _request, reply) => void sendError(reply as FastifyReply, error),
  });
  const redactor = options.redactor ?? SecretRedactor.shapesOnly();
  app.decorate("llmuxRedactor", redactor);
  app.decorate("llmuxStreams", new OpenStreams(redactor, options.logger));
  let closing = false;
  app.addHook("preClose", (done) => {
    closing = true;
    done();
  });
  const keys = new GatewayKeys(options.auth.keys);
  app.decorate("llmuxKeys", keys);
  const perKey = options.rateLimit.perKeyRpm ? new ClientRateLimiter(options.rateLimit.perKeyRpm) : null;
  const perIp = options.rateLimit.perIpRpm ? new ClientRateLimiter(options.rateLimit.perIpRpm) : null;
  app.decorateRequest("llmuxStartedAt", -1);
  decorateRequestNotes(app);

  const maxJsonDepth = options.maxJsonDepth ?? serverDefaults.maxJsonDepth;
  decorateBodyText(app);
  const bodies = new BodyReader<FastifyRequest>(
    {
      maxBytes: options.bodyLimitBytes,
      idleTimeoutMs: options.bodyTimeoutMs ?? serverDefaults.bodyTimeoutMs,
      readTimeoutMs: options.requestReadTimeoutMs ?? serverDefaults.requestReadTimeoutMs,
    },
    (body, request) => parseJsonBody(body, maxJsonDepth, request),
  );
  app.addHook("onClose", (_instance, done) => {
    bodies.stop();
    done();
  });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(["application/json", "text/plain"], (request, payload, done) => {
    bodies.read(payload, done, request);
  });

  // Callback-style hooks: no promise per request on the hot path.
  app.addHook("onRequest", (request, reply, done) => {
    request.llmuxStartedAt = performance.now();
    if (closing) {
      shuttingDown(reply);
      return;
    }
    const spend = options.spend?.acceptsVirtualKeys === true ? options.spend : null;
    if (keys.open && !perKey && !perIp && spend === null) {
      done();
      return;
    }
    const route = request.routeOptions.url ?? request.url;
    const isPublic =
      publicRoutes.has(route) ||
      // The dashboard checks its own way in (gateway key, admin key, or its login cookie).
      route === "/ui" ||
      route.startsWith("/ui/") ||
      (route === "/status" && options.auth.publicStatus) ||
      (route === "/metrics" && options.auth.publicMetrics);
    const key = presentedKey(request.headers);
    if (spend !== null && key !== null && !isPublic && route.startsWith("/v1/") && !keys.matches(key)) {
      // A virtual key (issue 13): checked against the spend store, then limited per request by its route.
      spend.identify(request.id, key).then(
        () => done(),
        (error: unknown) => sendError(reply, error),
      );
      return;
    }
    if (!isPublic && !keys.open && !keys.matches(key) && !route.startsWith("/admin/")) {
      unauthorized(reply, route);
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
  const requestLog = options.requestLog;
  app.addHook("onResponse", (request, reply, done) => {
    const begin = request.llmuxStartedAt;
    const seconds = begin < 0 ? 0 : (performance.now() - begin) / 1000;
    const route = request.routeOptions.url ?? "unknown";
    options.metrics?.observeHttp(route, request.method, reply.statusCode, seconds);
    options.spend?.forget(request.id);
    const note = logsRequests ? existingNote(request) : undefined;
    if (note?.model) note.model = clipText(note.model);
    if (note) {
      const fields = logFields(request, note, reply.statusCode, seconds * 1000);
      if (requestLog) requestLog(fields);
      else options.logger.info(fields, "request");
    }
    done();
  });

  app.setErrorHandler((error, request, reply) => {
    const answer = errorAnswer(error, redactor);
    if (answer.status >= 500)
      options.logger.error(
        { err: redactor.redact(error instanceof Error ? error.message : String(error)) },
        "unexpected error",
      );
    const body = isAnthropicRoute(request.routeOptions.url ?? "")
      ? toAnthropicError(answer.status, answer.body.error.message, undefined, request.id)
      : answer.body;
    return reply.code(answer.status).headers(answer.headers).send(body);
  });

  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({
      error: {
        message: `Unknown endpoint: ${clipText(request.method, 32)} ${clipText(request.url.split("?")[0] ?? "")}`,
        type: "invalid_request_error",
        param: null,
        code: "unknown_endpoint",
      },
    }),
  );

  registerChatRoute(app, options);
  registerEmbeddingsRoute(app, options);
  registerInfoRoutes(app, options);
  registerMessagesRoutes(app, options);
  registerResponsesRoute(app, options);
  registerStatusRoute(app, options);
  if (options.admin) registerAdminRoutes(app, options.admin);
  if (options.dashboard) registerUiRoutes(app, options, options.dashboard);
  app.get("/metrics", async (_request, reply) => {
    if (!options.metrics)
      return reply.code(404).send({
        error: { message: "Metrics are disabled.", type: "invalid_request_error", param: null, code: null },
      });
    return reply.type(options.metrics.contentType).send(redactor.redact(await options.metrics.render()));
  });
  return app;
}
