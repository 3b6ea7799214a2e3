import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { DashboardCollector } from "../../observability/index.js";
import { presentedKey } from "../auth.js";
import type { GatewayServerOptions } from "../options.js";
import { loadUiAssets, securityHeaders, sendAsset, sendJsonText, type UiAsset } from "./ui-assets.js";
import { cookieValue, UiAuth, uiCookieName } from "./ui-auth.js";
import { dashboardData, sampleQuota } from "./ui-data.js";
import type { DashboardServerOptions } from "./ui-options.js";

const defaultSessionMs = 12 * 60 * 60 * 1000;
const scriptAndStyleAssets = new Set(["app.js", "charts.js", "app.css"]);

/** True when the request came over HTTPS (directly, or through a proxy that says so). */
function overHttps(request: FastifyRequest): boolean {
  return request.protocol === "https" || request.headers["x-forwarded-proto"] === "https";
}

function loginCookie(value: string, maxAgeSeconds: number, secure: boolean): string {
  const flags = [`Path=/ui`, "HttpOnly", "SameSite=Strict", `Max-Age=${maxAgeSeconds}`];
  if (secure) flags.push("Secure");
  return `${uiCookieName}=${value}; ${flags.join("; ")}`;
}

/** The login page, with a note in it (`{{note}}` in login.html), answered 401. */
function loginPage(request: FastifyRequest, reply: FastifyReply, asset: UiAsset, note: string): FastifyReply {
  const html = asset.body.toString("utf8").replace("{{note}}", note);
  return securityHeaders(reply)
    .code(401)
    .header("cache-control", "no-store")
    .type("text/html; charset=utf-8")
    .send(html);
}

function unauthorizedJson(reply: FastifyReply): FastifyReply {
  return reply.code(401).send({
    error: {
      message:
        "The dashboard needs a gateway key or the admin key (Authorization: Bearer <key>, or log in at /ui).",
      type: "invalid_request_error",
      param: null,
      code: "invalid_api_key",
    },
  });
}

/**
 * The web dashboard: `GET /ui` (the page, or the login form), `GET /ui/assets/<file>` (its script
 * and styles, public: they hold no data), `POST /ui/login` and `/ui/logout` (the cookie),
 * `GET /ui/data[?since=<bucket>]` (the JSON the page polls: the /status page plus the dashboard's
 * series). Everything ships in the package: no CDN, works offline. Open like the gateway when no key
 * is configured; otherwise a gateway key or the admin key, as a Bearer header or the login cookie.
 */
export function registerUiRoutes(
  app: FastifyInstance,
  options: GatewayServerOptions,
  dashboard: DashboardServerOptions,
): void {
  const assets = loadUiAssets();
  const asset = (name: "index.html" | "login.html"): UiAsset => assets.get(name) as UiAsset;
  const auth = new UiAuth([...options.auth.keys, dashboard.adminKey ?? ""]);
  app.decorate("llmuxUi", auth);
  const collector = dashboard.collector ?? new DashboardCollector();
  const unsubscribe = options.engine.events.on(collector.listener);
  const sampler = setInterval(
    () => sampleQuota(options.engine, collector, Date.now()),
    dashboard.quotaSampleMs ?? 5000,
  );
  sampler.unref();
  app.addHook("onClose", (_instance, done) => {
    clearInterval(sampler);
    unsubscribe();
    done();
  });
  const sessionMs = dashboard.sessionMs ?? defaultSessionMs;
  const allowed = (request: FastifyRequest): boolean =>
    auth.open ||
    auth.matches(presentedKey(request.headers)) ||
    auth.verify(cookieValue(request.headers.cookie, uiCookieName), Date.now());

  const page = (request: FastifyRequest, reply: FastifyReply) =>
    allowed(request)
      ? sendAsset(request, reply, asset("index.html"))
      : loginPage(request, reply, asset("login.html"), "");
  app.get("/ui", page);
  app.get("/ui/", page);

  app.get<{ Params: { name: string } }>("/ui/assets/:name", (request, reply) => {
    const name = request.params.name;
    const file = scriptAndStyleAssets.has(name) ? assets.get(name as "app.js") : undefined;
    if (!file) return reply.callNotFound();
    return sendAsset(request, reply, file);
  });

  app.get<{ Querystring: { since?: string } }>("/ui/data", async (request, reply) => {
    if (!allowed(request)) return unauthorizedJson(reply);
    const since = Number(request.query.since);
    const data = await dashboardData(
      options,
      dashboard,
      collector,
      Date.now(),
      Number.isSafeInteger(since) && since > 0 ? since : undefined,
    );
    return sendJsonText(request, reply, app.llmuxRedactor.redact(JSON.stringify(data)));
  });

  // Forms: a scope of their own, so only these two routes parse url-encoded bodies.
  void app.register(async (forms) => {
    forms.addContentTypeParser(
      "application/x-www-form-urlencoded",
      { parseAs: "string", bodyLimit: 4096 },
      (_request, body, done) => done(null, new URLSearchParams(String(body))),
    );
    forms.post("/ui/login", (request, reply) => {
      const body = request.body instanceof URLSearchParams ? request.body : new URLSearchParams();
      const key = (body.get("key") ?? "").trim();
      const expiresAt = Date.now() + sessionMs;
      const token = auth.open ? null : auth.issue(key, expiresAt);
      if (!auth.open && token === null)
        return loginPage(
          request,
          reply,
          asset("login.html"),
          "That key is not a gateway key or the admin key.",
        );
      if (token !== null)
        reply.header("set-cookie", loginCookie(token, Math.floor(sessionMs / 1000), overHttps(request)));
      return securityHeaders(reply).code(303).header("location", "/ui").send();
    });
    forms.post("/ui/logout", (request, reply) =>
      securityHeaders(reply)
        .code(303)
        .header("set-cookie", loginCookie("", 0, overHttps(request)))
        .header("location", "/ui")
        .send(),
    );
  });
}
