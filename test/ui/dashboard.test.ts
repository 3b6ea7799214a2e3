/**
 * The web dashboard at /ui: who may open it (gateway key or admin key, Bearer or login cookie), what
 * it serves and how big it is, and the page itself in a real browser (Debian's chromium driven by
 * puppeteer-core; skipped without chromium unless CI=true), on a laptop and a phone screen.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import puppeteer, { type Browser } from "puppeteer-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGateway, type RunningGateway } from "../../src/cli/gateway.js";
import { parseConfig } from "../../src/config/index.js";
import { createLogger } from "../../src/observability/index.js";
import { startSimulator, type Simulator } from "../../src/sim/index.js";

const gatewayKey = "gw-dashboard-key-0123456789";
const adminKey = "admin-dashboard-key-0123456789";
const brokenKey = "sk-broken-upstream-secret-42";
const chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find((path) => existsSync(path));
const needBrowser = process.env["CI"] === "true";
const screenshots = process.env["LLMUX_SCREENSHOT_DIR"] ?? join(tmpdir(), "llmux-dashboard-screenshots");

let sim: Simulator;
let gateway: RunningGateway;

beforeAll(async () => {
  sim = await startSimulator({ requireKnownKeys: true, keys: { "sk-good-1-key": {}, "sk-good-2-key": {} } });
  const { config } = parseConfig(
    [
      "server:",
      "  port: 0",
      `  admin_key: ${adminKey}`,
      "  auth:",
      `    keys: [${gatewayKey}]`,
      "providers:",
      ...[
        ["good-1", "sk-good-1-key", "    rpm: 600"],
        ["good-2", "sk-good-2-key", null],
        ["broken", brokenKey, null],
      ].flatMap(([id, key, extra]) => [
        `  - id: ${id}`,
        "    type: openai-compatible",
        `    base_url: ${sim.url}`,
        `    api_key: ${key}`,
        ...(extra ? [extra] : []),
      ]),
      "models:",
      "  smart: { deployments: [broken/gpt-4.1, good-1/gpt-4.1, good-2/gpt-4.1] }",
      "  fast: { deployments: [good-2/gpt-4.1-mini] }",
      // The admin key opens the spend ledger: in memory, not a file in the working directory.
      "state:",
      "  spend_db: ':memory:'",
      "",
    ].join("\n"),
    { file: "dashboard.yaml", env: {} },
  );
  gateway = await startGateway(config, { logger: createLogger({ level: "silent" }), port: 0 });
  // Traffic: the broken key fails (401, taken out) and its requests fail over; streams and not.
  for (let index = 0; index < 12; index += 1) {
    const response = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${gatewayKey}` },
      body: JSON.stringify({
        model: index % 3 === 0 ? "fast" : "smart",
        stream: index % 2 === 0,
        messages: [{ role: "user", content: `hello ${index}` }],
      }),
    });
    expect(response.status).toBe(200);
    await response.text();
  }
}, 30_000);

afterAll(async () => {
  await gateway?.close(500);
  await sim?.close();
});

const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

describe("/ui access", () => {
  it("without a key: the login form (401), and the data is refused", async () => {
    const page = await fetch(`${gateway.url}/ui`);
    expect(page.status).toBe(401);
    expect(await page.text()).toContain('action="/ui/login"');
    expect((await fetch(`${gateway.url}/ui/data`)).status).toBe(401);
    expect((await fetch(`${gateway.url}/ui/data`, { headers: bearer("wrong-key-0123456789") })).status).toBe(
      401,
    );
  });

  it("a gateway key or the admin key as a Bearer header opens the page and the data", async () => {
    for (const key of [gatewayKey, adminKey]) {
      const page = await fetch(`${gateway.url}/ui`, { headers: bearer(key) });
      expect(page.status).toBe(200);
      expect(page.headers.get("content-security-policy")).toContain("default-src 'none'");
      expect(await page.text()).toContain("/ui/assets/app.js");
      const data = await fetch(`${gateway.url}/ui/data`, { headers: bearer(key) });
      expect(data.status).toBe(200);
    }
    // The admin key is not a gateway key for the API.
    const api = await fetch(`${gateway.url}/v1/models`, { headers: bearer(adminKey) });
    expect(api.status).toBe(401);
  });

  it("the login form sets an HttpOnly cookie that opens the dashboard; a wrong key is refused; logout clears it", async () => {
    const wrong = await fetch(`${gateway.url}/ui/login`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "key=not-a-key-0123456789",
      redirect: "manual",
    });
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).toContain("not a gateway key");
    const login = await fetch(`${gateway.url}/ui/login`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: `key=${encodeURIComponent(adminKey)}`,
      redirect: "manual",
    });
    expect(login.status).toBe(303);
    const cookie = login.headers.get("set-cookie") ?? "";
    expect(cookie).toMatch(/^llmux_ui=v1\.\d+\.[\w-]{43}; Path=\/ui; HttpOnly; SameSite=Strict/);
    expect(cookie).not.toContain(adminKey);
    const value = cookie.split(";")[0] ?? "";
    expect((await fetch(`${gateway.url}/ui/data`, { headers: { cookie: value } })).status).toBe(200);
    expect((await fetch(`${gateway.url}/ui/data`, { headers: { cookie: `${value}x` } })).status).toBe(401);
    const logout = await fetch(`${gateway.url}/ui/logout`, { method: "POST", redirect: "manual" });
    expect(logout.headers.get("set-cookie")).toContain("Max-Age=0");
  });
});

describe("/ui data", () => {
  it("has every deployment with state, limits, errors by kind and series; no secret anywhere", async () => {
    const response = await fetch(`${gateway.url}/ui/data`, { headers: bearer(gatewayKey) });
    const text = await response.text();
    for (const secret of [brokenKey, gatewayKey, adminKey, "sk-good-1-key"])
      expect(text).not.toContain(secret);
    const data = JSON.parse(text) as {
      status: {
        deployments: Array<{ id: string; state: { status: string }; limits: { rpm: number | null } }>;
      };
      configuredLeft: Record<string, { rpm: number | null }>;
      activity: {
        size: number;
        groups: Record<string, { tally: { requests: number }; series: { requests: number[] } }>;
        deployments: Record<string, { tally: { errors: Record<string, number>; failoversFrom: number } }>;
        recentErrors: Array<{ deploymentId: string; kind: string; status: number | null }>;
      };
    };
    const ids = data.status.deployments.map((d) => d.id);
    expect(ids).toEqual(["broken/gpt-4.1", "good-1/gpt-4.1", "good-2/gpt-4.1", "good-2/gpt-4.1-mini"]);
    expect(data.status.deployments[0]?.state.status).toBe("disabled");
    expect(data.configuredLeft["good-1/gpt-4.1"]?.rpm).toBeGreaterThan(0);
    expect(data.activity.size).toBe(90);
    expect(data.activity.groups["smart"]?.tally.requests).toBe(8);
    expect(data.activity.groups["smart"]?.series.requests.reduce((a, b) => a + b, 0)).toBe(8);
    expect(data.activity.deployments["broken/gpt-4.1"]?.tally.errors).toEqual({ auth: 1 });
    expect(data.activity.deployments["broken/gpt-4.1"]?.tally.failoversFrom).toBe(1);
    expect(data.activity.recentErrors[0]).toMatchObject({ deploymentId: "broken/gpt-4.1", status: 401 });
  });

  it("the page, its files and its data together are under 200 KB (also uncompressed)", async () => {
    const sizes: Record<string, { raw: number; gzip: number }> = {};
    for (const path of [
      "/ui",
      "/ui/assets/app.js",
      "/ui/assets/charts.js",
      "/ui/assets/app.css",
      "/ui/data",
    ]) {
      const response = await fetch(`${gateway.url}${path}`, { headers: bearer(gatewayKey) });
      expect(response.status, path).toBe(200);
      const body = Buffer.from(await response.arrayBuffer());
      sizes[path] = { raw: body.length, gzip: gzipSync(body).length };
    }
    const raw = Object.values(sizes).reduce((sum, size) => sum + size.raw, 0);
    const gzip = Object.values(sizes).reduce((sum, size) => sum + size.gzip, 0);
    console.log(`dashboard sizes (bytes): ${JSON.stringify(sizes)}; total ${raw} raw, ${gzip} gzipped`);
    expect(raw).toBeLessThan(200 * 1024);
    // Scripts are cached (ETag): a second load is a 304.
    const first = await fetch(`${gateway.url}/ui/assets/app.js`);
    const again = await fetch(`${gateway.url}/ui/assets/app.js`, {
      headers: { "if-none-match": first.headers.get("etag") ?? "" },
    });
    expect(again.status).toBe(304);
  });
});

describe.skipIf(!chromium && !needBrowser)("/ui in chromium", () => {
  let browser: Browser;
  let profile: string;

  beforeAll(async () => {
    if (!chromium) throw new Error("CI=true but chromium is not installed (apt-get install -y chromium)");
    profile = mkdtempSync(join(tmpdir(), "llmux-chromium-"));
    mkdirSync(screenshots, { recursive: true });
    browser = await puppeteer.launch({
      executablePath: chromium,
      headless: true,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        `--user-data-dir=${profile}`,
      ],
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  it("logs in through the form and shows groups, deployments, states, charts and redacted errors (laptop and phone)", async () => {
    const page = await browser.newPage();
    const failures: string[] = [];
    page.on("pageerror", (error) => failures.push(String(error)));
    page.on("requestfailed", (request) => failures.push(`failed: ${request.url()}`));
    page.on("console", (message) => {
      // The login page itself is answered 401 (for tools); the browser logs that as an error.
      if (message.type() === "error" && !/status of 401/.test(message.text())) failures.push(message.text());
    });
    await page.setViewport({ width: 1366, height: 900 });
    await page.goto(`${gateway.url}/ui`, { waitUntil: "load" });
    await page.type("#key", gatewayKey);
    await Promise.all([page.waitForNavigation({ waitUntil: "load" }), page.click("button[type=submit]")]);
    await page.waitForSelector("body[data-loaded=true]", { timeout: 15_000 });
    const text = (await page.evaluate("document.body.innerText")) as string;
    for (const expected of [
      "smart",
      "fast",
      "broken/gpt-4.1",
      "good-1/gpt-4.1",
      "good-2/gpt-4.1-mini",
      "disabled",
      "available",
      "rpm 600 set",
      "auth 1",
      "Recent errors",
    ])
      expect(text, expected).toContain(expected);
    for (const secret of [brokenKey, gatewayKey, adminKey]) expect(text).not.toContain(secret);
    const charts = await page.$$eval("svg.chart path.line", (paths) => paths.length);
    expect(charts).toBeGreaterThan(4);
    expect(await page.$$eval("tr[data-deployment]", (rows) => rows.length)).toBe(4);
    await page.screenshot({ path: join(screenshots, "dashboard-laptop.png"), fullPage: true });

    await page.setViewport({ width: 390, height: 844, isMobile: true, hasTouch: true });
    await page.reload({ waitUntil: "load" });
    await page.waitForSelector("body[data-loaded=true]", { timeout: 15_000 });
    const overflow = (await page.evaluate(
      "document.documentElement.scrollWidth - window.innerWidth",
    )) as number;
    expect(overflow).toBeLessThanOrEqual(1);
    await page.screenshot({ path: join(screenshots, "dashboard-phone.png"), fullPage: true });
    expect(failures).toEqual([]);
    console.log(`dashboard screenshots in ${screenshots}`);
    await page.close();
  }, 60_000);
});
