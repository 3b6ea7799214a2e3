// The llmux dashboard: polls /ui/data (the /status page plus 15-minute series) and renders it.
// Plain DOM, no framework; every text goes in through textContent (upstream messages may hold HTML).
import { lineChart, shortNumber } from "./charts.js";

const pollMs = 2000;
const store = { last: null, size: 0, bucketMs: 10_000, series: { groups: {}, deployments: {} }, data: null };
const fields = ["requests", "errors", "rateLimited", "quota"];

/** An element with attributes and children (strings become text). */
function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "class") element.className = value;
    else element.setAttribute(name, String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : String(child));
  }
  return element;
}

function clock(time) {
  return new Date(time).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit" });
}

function seconds(ms) {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  if (ms < 120_000) return `${Math.round(ms / 1000)} s`;
  return `${Math.round(ms / 60_000)} min`;
}

function millis(value) {
  return value === null || value === undefined ? "–" : `${Math.round(value)}`;
}

/** Merges a window of buckets into the kept series (all aligned on the newest bucket). */
function mergeSeries(activity) {
  const size = activity.size;
  const shift = store.last === null || store.size !== size ? size : Math.max(0, activity.last - store.last);
  const empty = (field) => (field === "quota" ? null : 0);
  for (const kind of ["groups", "deployments"]) {
    const kept = store.series[kind];
    for (const key of Object.keys(kept)) {
      if (!(key in activity[kind])) {
        delete kept[key];
        continue;
      }
      for (const field of fields) {
        const moved = kept[key][field].slice(Math.min(shift, size));
        while (moved.length < size) moved.push(empty(field));
        kept[key][field] = moved;
      }
    }
    for (const [key, entry] of Object.entries(activity[kind])) {
      kept[key] ??= Object.fromEntries(fields.map((field) => [field, Array(size).fill(empty(field))]));
      for (const field of fields) {
        const values = entry.series[field];
        values.forEach((value, index) => {
          kept[key][field][size - values.length + index] = value;
        });
      }
    }
  }
  store.last = activity.last;
  store.size = size;
  store.bucketMs = activity.bucketMs;
}

/** Counts per bucket → per second. */
function perSecond(values) {
  return values.map((value) => (value === null ? null : value / (store.bucketMs / 1000)));
}

function spanMinutes() {
  return Math.round((store.size * store.bucketMs) / 60_000);
}

function stateBadge(state) {
  switch (state.status) {
    case "available":
      return h("span", { class: "badge ok" }, "available");
    case "cooling":
      return h(
        "span",
        { class: "badge warn", title: `until ${state.until}` },
        `cooling until ${clock(state.until)} (${state.reason}, ${seconds(state.remainingMs)} left)`,
      );
    case "circuit_open":
      return h(
        "span",
        { class: "badge bad", title: `until ${state.until}` },
        `circuit open until ${clock(state.until)} (${seconds(state.remainingMs)} left)`,
      );
    case "half_open":
      return h("span", { class: "badge warn" }, state.probeInFlight ? "half-open, probing" : "half-open");
    case "disabled":
      return h("span", { class: "badge off" }, `disabled: ${state.reason} (since ${clock(state.since)})`);
    default:
      return h("span", { class: "badge" }, String(state.status));
  }
}

function dimensionText(name, dimension) {
  if (!dimension || dimension.capacity === null) return null;
  const left = dimension.remaining === null ? "?" : shortNumber(Math.max(0, dimension.remaining));
  const refill = dimension.refillPerMinute === null ? "" : `, +${shortNumber(dimension.refillPerMinute)}/min`;
  return `${name} ${left} of ${shortNumber(dimension.capacity)} left${refill}`;
}

function limitsCell(deployment, configuredLeft) {
  const lines = [];
  const limits = deployment.limits;
  if (limits) {
    for (const name of ["rpm", "tpm", "rpd"]) {
      if (limits[name] === null || limits[name] === undefined) continue;
      const left = configuredLeft?.[name];
      lines.push(`${name} ${shortNumber(limits[name])} set, ${left === null ? "?" : shortNumber(left)} left`);
    }
  }
  const capacity = deployment.capacity;
  if (capacity) {
    const learned = [dimensionText("req", capacity.requests), dimensionText("tok", capacity.tokens)].filter(
      Boolean,
    );
    if (learned.length > 0)
      lines.push(`learned (${capacity.mode}${capacity.stale ? ", stale" : ""}): ${learned.join(" · ")}`);
    else if (lines.length === 0) lines.push(`learning (${capacity.mode})`);
    if (capacity.sharedWith?.length > 0) lines.push(`shares quota with ${capacity.sharedWith.join(", ")}`);
  }
  return lines.map((line) => h("div", {}, line));
}

function errorsText(errors) {
  const entries = Object.entries(errors ?? {}).sort((a, b) => b[1] - a[1]);
  return entries.length === 0 ? "none" : entries.map(([kind, count]) => `${kind} ${count}`).join(" · ");
}

function deploymentRow(deployment, data) {
  const activity = data.activity.deployments[deployment.id];
  const tally = activity?.tally;
  const stats = deployment.stats;
  const series = store.series.deployments[deployment.id];
  const cell = (label, ...content) => h("td", { "data-label": label }, ...content);
  return h(
    "tr",
    { "data-deployment": deployment.id },
    cell("deployment", h("strong", {}, deployment.id)),
    cell("state", stateBadge(deployment.state)),
    cell("limits · left now", ...limitsCell(deployment, data.configuredLeft[deployment.id])),
    cell("in flight", String(tally?.inFlight ?? 0)),
    cell(
      "requests",
      `${stats?.success ?? 0} ok · ${(stats?.failed ?? 0) + (stats?.rateLimited ?? 0)} failed`,
    ),
    cell("errors", errorsText(tally?.errors)),
    cell("latency p50/p95 ms", `${millis(stats?.latency?.p50)} / ${millis(stats?.latency?.p95)}`),
    cell(
      "TTFT p50/p95 ms",
      `${millis(stats?.timeToFirstToken?.p50)} / ${millis(stats?.timeToFirstToken?.p95)}`,
    ),
    cell(
      "failovers · recoveries",
      `${tally?.failoversFrom ?? 0} out · ${tally?.failoversTo ?? 0} in · ${tally?.recoveries ?? 0} recovered · ${tally?.hedgesWon ?? 0} hedges won`,
    ),
    cell(
      "last 15 min",
      series
        ? lineChart({
            title: `${deployment.id}: requests and errors per second`,
            series: [
              { label: "req/s", values: perSecond(series.requests), className: "requests" },
              { label: "err/s", values: perSecond(series.errors), className: "errors" },
            ],
            spanMinutes: spanMinutes(),
          })
        : "no traffic yet",
      series && series.quota.some((value) => value !== null)
        ? lineChart({
            title: `${deployment.id}: quota use`,
            series: [{ label: "used", values: series.quota, className: "quota" }],
            max: 100,
            unit: "%",
            spanMinutes: spanMinutes(),
          })
        : null,
    ),
  );
}

function groupCard(group, data) {
  const tally = data.activity.groups[group.name]?.tally;
  const series = store.series.groups[group.name] ?? {
    requests: Array(store.size).fill(0),
    errors: Array(store.size).fill(0),
    rateLimited: Array(store.size).fill(0),
    quota: Array(store.size).fill(null),
  };
  const deployments = group.tiers.map((tier, index) =>
    h(
      "div",
      { class: "tier" },
      `${index === 0 ? "primary" : `fallback ${index}`}: `,
      tier.map((d) => `${d.deployment} ×${d.weight}`).join(", "),
    ),
  );
  return h(
    "article",
    { class: "card group", "data-group": group.name },
    h("h3", {}, group.name, h("small", {}, ` ${group.strategy}`)),
    h(
      "p",
      { class: "numbers" },
      `${tally?.requests ?? 0} requests · ${tally?.failures ?? 0} failed · ${tally?.failovers ?? 0} failovers` +
        ` · ${tally?.recoveries ?? 0} streams recovered, ${tally?.recoveriesFailed ?? 0} not · ${tally?.hedges ?? 0} hedged`,
    ),
    lineChart({
      title: `${group.name}: requests per second`,
      series: [
        { label: "req/s", values: perSecond(series.requests), className: "requests" },
        { label: "err/s", values: perSecond(series.errors), className: "errors" },
      ],
      spanMinutes: spanMinutes(),
    }),
    lineChart({
      title: `${group.name}: quota use`,
      series: [{ label: "used", values: series.quota, className: "quota" }],
      max: 100,
      unit: "%",
      spanMinutes: spanMinutes(),
    }),
    h("div", { class: "tiers" }, deployments),
  );
}

function errorsTable(errors) {
  if (errors.length === 0) return h("p", { class: "empty" }, "No upstream errors since the gateway started.");
  const cell = (label, ...content) => h("td", { "data-label": label }, ...content);
  return h(
    "table",
    { class: "errors-table" },
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        ["time", "deployment", "group", "kind", "status", "upstream reason"].map((name) => h("th", {}, name)),
      ),
    ),
    h(
      "tbody",
      {},
      errors.map((error) =>
        h(
          "tr",
          {},
          cell("time", clock(error.at)),
          cell("deployment", error.deploymentId),
          cell("group", error.group),
          cell("kind", `${error.kind}${error.afterCommit ? " (mid-stream)" : ""}`),
          cell("status", error.status === null ? "–" : String(error.status)),
          cell("upstream reason", h("span", { class: "message" }, error.message ?? "")),
        ),
      ),
    ),
  );
}

function spendSection(spend) {
  if (!spend) return h("p", { class: "empty" }, "Spend control is not enabled on this gateway.");
  const list = (title, rows) =>
    h(
      "div",
      { class: "card" },
      h("h3", {}, title),
      h(
        "ul",
        {},
        rows.map((row) =>
          h("li", {}, `${row.name}: $${row.usd.toFixed(4)}${row.budgetUsd ? ` of $${row.budgetUsd}` : ""}`),
        ),
      ),
    );
  return h("div", { class: "cards" }, list("per key", spend.keys), list("per group", spend.groups));
}

function summary(data) {
  const status = data.status;
  const available = status.deployments.filter((d) => d.available).length;
  const inFlight = Object.values(data.activity.deployments).reduce((sum, d) => sum + d.tally.inFlight, 0);
  const config = status.config;
  return h(
    "div",
    { class: "summary" },
    h("span", {}, `${status.groups.length} groups`),
    h(
      "span",
      { class: available === status.deployments.length ? "" : "warn-text" },
      `${available}/${status.deployments.length} deployments available`,
    ),
    h("span", {}, `${inFlight} in flight`),
    h(
      "span",
      { class: status.store === "degraded" ? "warn-text" : "" },
      `state: ${status.store === "memory" ? "in memory" : `Redis, ${status.store}`}`,
    ),
    config
      ? h(
          "span",
          { title: config.hash },
          `config ${config.hash.slice(0, 12)} loaded ${clock(config.loadedAt)}`,
        )
      : null,
    config && config.reloads.failed > 0
      ? h(
          "span",
          { class: "warn-text", title: config.reloads.lastError ?? "" },
          `${config.reloads.failed} failed reloads`,
        )
      : null,
  );
}

function render(data) {
  const status = data.status;
  document.getElementById("version").textContent = `v${status.version}`;
  document.getElementById("updated").textContent = `updated ${clock(data.now)}`;
  document.getElementById("summary").replaceChildren(summary(data));
  document.getElementById("groups").replaceChildren(...status.groups.map((group) => groupCard(group, data)));
  const rows = status.deployments.map((deployment) => deploymentRow(deployment, data));
  document.getElementById("deployments").replaceChildren(...rows);
  const draining = data.draining ?? [];
  document
    .getElementById("draining")
    .replaceChildren(
      ...(draining.length === 0
        ? []
        : [
            h(
              "p",
              { class: "warn-text" },
              `Draining after a reload: ${draining.map((d) => `${d.id} (${d.inFlight} in flight)`).join(", ")}`,
            ),
          ]),
    );
  document.getElementById("errors").replaceChildren(errorsTable(data.activity.recentErrors));
  document.getElementById("spend").replaceChildren(spendSection(data.spend));
}

async function poll() {
  const since = store.last === null ? "" : `?since=${store.last}`;
  try {
    const response = await fetch(`/ui/data${since}`, { credentials: "same-origin", cache: "no-store" });
    if (response.status === 401) {
      location.reload();
      return;
    }
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const data = await response.json();
    mergeSeries(data.activity);
    store.data = data;
    render(data);
    document.body.dataset.loaded = "true";
    document.getElementById("problem").textContent = "";
  } catch (error) {
    document.getElementById("problem").textContent = `Cannot reach the gateway (${error.message}); retrying.`;
  }
}

async function loop() {
  if (document.visibilityState !== "hidden") await poll();
  setTimeout(loop, pollMs);
}

void loop();
