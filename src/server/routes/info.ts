import type { FastifyInstance } from "fastify";
import { isAvailable } from "../../core/index.js";
import { clipText } from "../../errors/index.js";
import type { GatewayServerOptions } from "../options.js";

const created = Math.floor(Date.UTC(2025, 0, 1) / 1000);

/** `GET /v1/models`, `GET /v1/models/:id` and `GET /health`. */
export function registerInfoRoutes(app: FastifyInstance, options: GatewayServerOptions): void {
  const { engine } = options;
  const startedAt = Date.now();
  const model = (id: string) => ({ id, object: "model" as const, created, owned_by: "llmux" });

  app.get("/v1/models", async () => ({
    object: "list",
    data: engine.groups().map((group) => model(group.name)),
  }));

  app.get<{ Params: { id: string } }>("/v1/models/:id", async (request, reply) => {
    const group = engine.group(request.params.id);
    if (group) return model(group.name);
    return reply.code(404).send({
      error: {
        message: `The model '${clipText(request.params.id)}' does not exist.`,
        type: "invalid_request_error",
        param: "model",
        code: "model_not_found",
      },
    });
  });

  app.get("/health", async () => {
    const now = Date.now();
    const ids = new Set(engine.groups().flatMap((group) => group.deployments.map((d) => d.id)));
    let available = 0;
    for (const id of ids) if (isAvailable(engine.store.health(id), now)) available += 1;
    return {
      status: "ok",
      version: options.version,
      store: engine.store.status,
      uptimeSeconds: Math.round((now - startedAt) / 1000),
      deployments: { total: ids.size, available },
    };
  });
}
