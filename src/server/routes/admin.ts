import { createHash, timingSafeEqual } from "node:crypto";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { NewKeyInput, SpendService } from "../../core/spend/index.js";
import type { SpendDimension } from "../../state/spend-types.js";
import { presentedKey } from "../auth.js";
import { sendError } from "../error-reply.js";
import type { SpendControl } from "../spend-control.js";

/** What the admin API needs: its key (`server.admin_key`) and the spend service. */
export interface AdminServerOptions {
  adminKey: string;
  service: SpendService;
  spend?: SpendControl | undefined;
}

function digest(value: string): Buffer {
  return createHash("sha256").update(value).digest();
}

function adminError(reply: FastifyReply, status: number, message: string, code: string): FastifyReply {
  return reply.code(status).send({ error: { message, type: "invalid_request_error", param: null, code } });
}

const dimensions: readonly SpendDimension[] = ["key", "group", "deployment"];

/** `since`: ms since the epoch, an ISO time, or a duration back from now (`24h`, `7d`); default 30 days. */
function sinceOf(value: unknown, now: number): number | null {
  if (value === undefined || value === "") return now - 30 * 86_400_000;
  if (typeof value !== "string") return null;
  const relative = /^(\d+)([mhd])$/.exec(value);
  if (relative)
    return now - Number(relative[1]) * { m: 60_000, h: 3_600_000, d: 86_400_000 }[relative[2] as "m"];
  const time = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  return Number.isFinite(time) ? time : null;
}

/**
 * The admin API behind `server.admin_key` (Bearer or x-api-key; gateway keys and virtual keys are
 * refused): `POST /admin/keys` (the secret is returned once), `GET /admin/keys`,
 * `DELETE /admin/keys/:id`, `GET /admin/spend?by=key|group|deployment&since=`, `GET /admin/costs`.
 */
export function registerAdminRoutes(app: FastifyInstance, options: AdminServerOptions): void {
  const expected = digest(options.adminKey);
  const guard = (request: FastifyRequest, reply: FastifyReply, done: (error?: Error) => void): void => {
    const key = presentedKey(request.headers);
    if (key === null || !timingSafeEqual(digest(key), expected)) {
      void adminError(reply, 401, "The admin API needs server.admin_key.", "invalid_admin_key");
      return;
    }
    done();
  };
  const { service } = options;
  app.register(async (admin) => {
    admin.addHook("onRequest", guard);
    admin.post("/admin/keys", async (request, reply) => {
      try {
        const created = await service.createKey((request.body ?? {}) as NewKeyInput);
        return await reply.code(201).send({ key: created.key, ...created.info });
      } catch (error) {
        return sendError(reply, error);
      }
    });
    admin.get("/admin/keys", async () => ({ object: "list", data: await service.listKeys() }));
    admin.delete<{ Params: { id: string } }>("/admin/keys/:id", async (request, reply) => {
      const revoked = await service.revokeKey(request.params.id);
      if (!revoked) return adminError(reply, 404, `No key '${request.params.id}'.`, "key_not_found");
      return { id: request.params.id, revoked: true };
    });
    admin.get<{ Querystring: { by?: string; since?: string } }>("/admin/spend", async (request, reply) => {
      const by = (request.query.by ?? "key") as SpendDimension;
      if (!dimensions.includes(by))
        return adminError(reply, 400, "by must be key, group or deployment.", "invalid_by");
      const since = sinceOf(request.query.since, Date.now());
      if (since === null) return adminError(reply, 400, "since must be a time or 24h / 7d.", "invalid_since");
      await service.flush();
      return {
        object: "list",
        by,
        since: new Date(since).toISOString(),
        data: await service.report(by, since),
      };
    });
    admin.get("/admin/costs", async () => options.spend?.status() ?? {});
  });
}
