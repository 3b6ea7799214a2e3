import type { FastifyInstance, FastifyRequest } from "fastify";
import { isAvailable } from "../../core/index.js";
import { clipText } from "../../errors/index.js";
import { toAnthropicError, toAnthropicModelList, type ListedModel } from "../../providers/anthropic/index.js";
import type { GatewayServerOptions } from "../options.js";

/** True when the caller speaks Anthropic's API (it sends `anthropic-version`, as its SDK and Claude Code do). */
function speaksAnthropic(request: FastifyRequest): boolean {
  const version = request.headers["anthropic-version"];
  return typeof version === "string" ? version !== "" : Array.isArray(version);
}

/** Anthropic's list query (`limit`, `after_id`, `before_id`). */
function pageOf(query: unknown): { limit?: number; afterId?: string; beforeId?: string } {
  const page: { limit?: number; afterId?: string; beforeId?: string } = {};
  if (typeof query !== "object" || query === null) return page;
  const fields = query as Record<string, unknown>;
  const limit = Number(fields["limit"]);
  if (typeof fields["limit"] === "string" && Number.isInteger(limit) && limit > 0) page.limit = limit;
  if (typeof fields["after_id"] === "string") page.afterId = fields["after_id"];
  if (typeof fields["before_id"] === "string") page.beforeId = fields["before_id"];
  return page;
}

const created = Math.floor(Date.UTC(2025, 0, 1) / 1000);

/** `GET /v1/models`, `GET /v1/models/:id` and `GET /health`. */
export function registerInfoRoutes(app: FastifyInstance, options: GatewayServerOptions): void {
  const { engine } = options;
  const startedAt = Date.now();
  const model = (id: string) => ({ id, object: "model" as const, created, owned_by: "llmux" });

  // Anthropic callers see every name they may ask for: the groups, then their aliases.
  const anthropicModels = (): ListedModel[] => {
    const groups = engine.groups();
    const names = [...groups.map((group) => group.name), ...groups.flatMap((group) => group.aliases ?? [])];
    return [...new Set(names)].map((id) => ({ id, created }));
  };

  app.get("/v1/models", async (request) =>
    speaksAnthropic(request)
      ? toAnthropicModelList(anthropicModels(), pageOf(request.query))
      : { object: "list", data: engine.groups().map((group) => model(group.name)) },
  );

  app.get<{ Params: { id: string } }>("/v1/models/:id", async (request, reply) => {
    const group = engine.group(request.params.id);
    if (speaksAnthropic(request)) {
      const listed = toAnthropicModelList([{ id: request.params.id, created }]).data[0];
      if (group && listed) return listed;
      const message = `model: ${clipText(request.params.id)}`;
      return reply.code(404).send(toAnthropicError(404, message, "not_found_error", request.id));
    }
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
