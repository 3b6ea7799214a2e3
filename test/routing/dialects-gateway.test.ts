/**
 * Smart routing for the coding agents' routes: `/v1/messages` (Claude Code, the Anthropic SDK) and
 * `/v1/responses` (Codex, the openai SDK) go through the same plan as the chat route — prompt-cache
 * affinity from their session signals, route rules (incl. `auto`), the response cache with hits
 * replayed in the caller's dialect (spec-validated), and `x-llmux-cache` on every answer.
 */
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { RunningGateway } from "../../src/cli/gateway.js";
import { startSimulator, type Simulator } from "../../src/sim/index.js";
import { parseSse, type ParsedEvent } from "../helpers/sse-events.js";
import { validateOpenAI } from "../helpers/openai-spec.js";
import {
  checkOrder as anthropicOrder,
  finalMessage,
} from "../providers/anthropic-inbound/anthropic-events.js";
import { validateAnthropic } from "../providers/anthropic/anthropic-spec.js";
import { checkOrder as responsesOrder, finalResponse } from "../providers/responses/responses-events.js";
import { gatewayFromYaml } from "./helpers.js";

type Json = Record<string, unknown>;

let sim: Simulator;
let gateway: RunningGateway;
let anthropic: Anthropic;
let openai: OpenAI;
let counter = 0;

beforeAll(async () => {
  sim = await startSimulator({
    keys: { "key-a": {}, "key-b": {}, "key-c": {} },
    requireKnownKeys: true,
    chunkDelayMs: 1,
  });
  gateway = await gatewayFromYaml(`
server: { port: 0 }
providers:
  - { id: a, type: openai-compatible, base_url: "${sim.url}", api_key: key-a, models: [gpt-4.1, coder-model, cheap-model] }
  - { id: b, type: openai-compatible, base_url: "${sim.url}", api_key: key-b, models: [gpt-4.1] }
  - { id: c, type: openai-compatible, base_url: "${sim.url}", api_key: key-c, models: [gpt-4.1] }
  - { id: an, type: anthropic, base_url: "${sim.origin}", api_key: key-c, models: [claude-sim] }
models:
  pool: { strategy: round-robin, deployments: [a/gpt-4.1, b/gpt-4.1, c/gpt-4.1] }
  cached: { deployments: [a/gpt-4.1], cache: true }
  passed: { deployments: [an/claude-sim], cache: true }
  coder: { deployments: [a/coder-model] }
  cheap: { deployments: [a/cheap-model] }
routes:
  - name: agents-with-tools
    match: { model: auto, has_tools: true }
    group: coder
  - name: gold
    match: { model: auto, headers: { x-tier: gold } }
    group: coder
  - name: default
    match: { model: auto }
    group: cheap
`);
  anthropic = new Anthropic({ baseURL: gateway.url, apiKey: "unused", maxRetries: 0 });
  openai = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: "unused", maxRetries: 0 });
});
afterAll(async () => {
  await gateway.close(200);
  await sim.close();
});
beforeEach(() => {
  sim.reset();
  sim.clearFaults();
});

function upstreamCalls(): number {
  return sim.requests.filter((r) => r.path.endsWith("/chat/completions")).length;
}

async function post(path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${gateway.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", "anthropic-version": "2023-06-01", ...headers },
    body: JSON.stringify(body),
  });
}

function fresh(): string {
  counter += 1;
  return `question ${counter} ${Date.now()}`;
}

describe("prompt-cache affinity on /v1/messages and /v1/responses", () => {
  it("10 Anthropic-SDK turns with one X-Claude-Code-Session-Id stay on one deployment under round-robin", async () => {
    const messages: Anthropic.MessageParam[] = [];
    const seen: string[] = [];
    for (let turn = 0; turn < 10; turn += 1) {
      messages.push({ role: "user", content: `turn ${turn}` });
      const { data, response } = await anthropic.messages
        .create(
          { model: "pool", max_tokens: 64, system: `agent ${turn}`, messages },
          { headers: { "X-Claude-Code-Session-Id": "6c74d663-16f3-4401-85cd-66fbd3642c3f" } },
        )
        .withResponse();
      validateAnthropic("Message", data);
      seen.push(response.headers.get("x-llmux-deployment") ?? "");
      messages.push({ role: "assistant", content: data.content as Anthropic.ContentBlockParam[] });
    }
    expect(new Set(seen).size).toBe(1);
    // Other sessions are spread by the round-robin (the first turn of each: no history to stick to).
    const others = new Set<string | null>();
    for (let i = 0; i < 6; i += 1) {
      const response = await post(
        "/v1/messages",
        { model: "pool", max_tokens: 16, messages: [{ role: "user", content: "hi" }] },
        { "x-claude-code-session-id": `other-${i}` },
      );
      others.add(response.headers.get("x-llmux-deployment"));
    }
    expect(others.size).toBeGreaterThan(1);
  });

  it("streamed Claude Code turns (metadata.user_id, no header) stick too", async () => {
    const seen = new Set<string | null>();
    const userId = JSON.stringify({ device_id: "d1", account_uuid: "", session_id: "s-meta-1" });
    for (let turn = 0; turn < 5; turn += 1) {
      const response = await post("/v1/messages", {
        model: "pool",
        max_tokens: 16,
        stream: true,
        metadata: { user_id: userId },
        messages: [{ role: "user", content: `streamed ${turn} ${fresh()}` }],
      });
      expect(response.status).toBe(200);
      await response.text();
      seen.add(response.headers.get("x-llmux-deployment"));
    }
    expect(seen.size).toBe(1);
  });

  it("Responses turns with one prompt_cache_key stick (stream and not)", async () => {
    const seen = new Set<string | null>();
    for (let turn = 0; turn < 6; turn += 1) {
      const stream = turn % 2 === 1;
      const response = await post("/v1/responses", {
        model: "pool",
        input: `codex turn ${turn} ${fresh()}`,
        prompt_cache_key: "01a23cf4-c45e-7a43-a47e-a1582be83817",
        store: false,
        stream,
      });
      expect(response.status).toBe(200);
      await response.text();
      seen.add(response.headers.get("x-llmux-deployment"));
    }
    expect(seen.size).toBe(1);
    // Codex's session-id header alone also keys the session.
    const byHeader = new Set<string | null>();
    for (let turn = 0; turn < 4; turn += 1) {
      const response = await post(
        "/v1/responses",
        { model: "pool", input: `header turn ${turn} ${fresh()}` },
        { "session-id": "codex-session-9" },
      );
      await response.text();
      byHeader.add(response.headers.get("x-llmux-deployment"));
    }
    expect(byHeader.size).toBe(1);
  });
});

describe("route rules on the dialect routes", () => {
  it("sends a /v1/messages request for auto to the rule's group (tools, header, default)", async () => {
    const tools = [{ name: "Bash", description: "run", input_schema: { type: "object", properties: {} } }];
    const withTools = await post("/v1/messages", {
      model: "auto",
      max_tokens: 16,
      tools,
      messages: [{ role: "user", content: "list files" }],
    });
    expect(withTools.status).toBe(200);
    expect(withTools.headers.get("x-llmux-route-rule")).toBe("agents-with-tools");
    expect(withTools.headers.get("x-llmux-deployment")).toBe("a/coder-model");
    const message = (await withTools.json()) as Json;
    validateAnthropic("Message", message);
    // The caller's model is echoed, as without rules.
    expect(message["model"]).toBe("auto");
    expect(sim.requests.at(-1)?.model).toBe("coder-model");

    const gold = await post(
      "/v1/messages",
      { model: "auto", max_tokens: 16, messages: [{ role: "user", content: "hello" }] },
      { "x-tier": "gold" },
    );
    expect(gold.headers.get("x-llmux-route-rule")).toBe("gold");
    expect(sim.requests.at(-1)?.model).toBe("coder-model");

    const plain = await post("/v1/messages", {
      model: "auto",
      max_tokens: 16,
      stream: true,
      messages: [{ role: "user", content: "hello" }],
    });
    expect(plain.headers.get("x-llmux-route-rule")).toBe("default");
    expect(plain.headers.get("x-llmux-intent")).toBeTruthy();
    await plain.text();
    expect(sim.requests.at(-1)?.model).toBe("cheap-model");
  });

  it("and a /v1/responses request for auto", async () => {
    const response = await openai.responses.create({ model: "auto", input: "hello there" }).withResponse();
    expect(response.response.headers.get("x-llmux-route-rule")).toBe("default");
    expect(sim.requests.at(-1)?.model).toBe("cheap-model");
    validateOpenAI("Response", response.data);
  });
});

describe("response cache on the dialect routes", () => {
  it("a /v1/messages answer is served from the cache without an upstream call, a valid Message; replayed as a valid event stream", async () => {
    const body = { model: "cached", max_tokens: 64, messages: [{ role: "user", content: fresh() }] };
    const first = await post("/v1/messages", body);
    expect(first.status).toBe(200);
    expect(first.headers.get("x-llmux-cache")).toBe("miss");
    const original = (await first.json()) as Json;
    expect(upstreamCalls()).toBe(1);

    const hit = await anthropic.messages
      .create(body as Anthropic.MessageCreateParamsNonStreaming, {
        headers: { "x-claude-code-session-id": "another-session" },
      })
      .withResponse();
    expect(hit.response.headers.get("x-llmux-cache")).toBe("hit");
    expect(hit.response.headers.get("x-llmux-attempts")).toBe("0");
    expect(upstreamCalls()).toBe(1);
    validateAnthropic("Message", hit.data);
    expect(hit.data.content).toEqual(original["content"]);
    expect(hit.data.stop_reason).toBe(original["stop_reason"]);
    expect(hit.data.model).toBe("cached");

    // The same request streamed: Anthropic's event sequence from the cached answer.
    const streamed = await post("/v1/messages", { ...body, stream: true });
    expect(streamed.headers.get("x-llmux-cache")).toBe("hit");
    expect(streamed.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const events: ParsedEvent[] = parseSse(await streamed.text());
    for (const event of events) {
      expect(event.event).toBe(event.data["type"]);
      validateAnthropic("MessageStreamEvent", event.data);
    }
    anthropicOrder(events);
    expect(finalMessage(events)["content"]).toEqual(original["content"]);
    expect(upstreamCalls()).toBe(1);

    // The SDK reads the replayed stream like a live one.
    const viaSdk = await anthropic.messages
      .stream(body as Anthropic.MessageCreateParamsNonStreaming)
      .finalMessage();
    expect(viaSdk.content).toEqual(original["content"]);
    expect(upstreamCalls()).toBe(1);

    // A beta changes the answer: another entry. A bypass neither reads nor stores.
    const beta = await post("/v1/messages", body, { "anthropic-beta": "some-beta-2025-01-01" });
    expect(beta.headers.get("x-llmux-cache")).toBe("miss");
    await beta.text();
    const bypass = await post("/v1/messages", body, { "x-llmux-cache": "bypass" });
    expect(bypass.headers.get("x-llmux-cache")).toBe("bypass");
    await bypass.text();
    expect(upstreamCalls()).toBe(3);
  });

  it("a streamed /v1/messages answer is stored when complete and replayed to a non-streaming caller", async () => {
    const body = { model: "cached", max_tokens: 64, messages: [{ role: "user", content: fresh() }] };
    const first = await post("/v1/messages", { ...body, stream: true });
    expect(first.headers.get("x-llmux-cache")).toBe("miss");
    const live = finalMessage(parseSse(await first.text()));
    await new Promise((resolve) => setTimeout(resolve, 20));
    const hit = await post("/v1/messages", body);
    expect(hit.headers.get("x-llmux-cache")).toBe("hit");
    const message = (await hit.json()) as Json;
    validateAnthropic("Message", message);
    expect(message["content"]).toEqual(live["content"]);
    expect(upstreamCalls()).toBe(1);
  });

  it("a /v1/responses answer is served from the cache: a Response with its own id, and a valid event stream", async () => {
    const body = { model: "cached", input: fresh(), store: false };
    const first = await openai.responses.create(body).withResponse();
    expect(first.response.headers.get("x-llmux-cache")).toBe("miss");
    expect(upstreamCalls()).toBe(1);
    const hit = await openai.responses.create({ ...body, prompt_cache_key: "k" }).withResponse();
    expect(hit.response.headers.get("x-llmux-cache")).toBe("hit");
    validateOpenAI("Response", hit.data);
    expect(hit.data.output_text).toBe(first.data.output_text);
    expect(hit.data.id).not.toBe(first.data.id);
    expect(upstreamCalls()).toBe(1);

    const streamed = await post("/v1/responses", { ...body, stream: true });
    expect(streamed.headers.get("x-llmux-cache")).toBe("hit");
    const events = parseSse(await streamed.text());
    for (const event of events) validateOpenAI("ResponseStreamEvent", event.data);
    responsesOrder(events);
    const final = finalResponse(events) as { output_text?: unknown; output: unknown };
    expect(JSON.stringify(final.output)).toContain(first.data.output_text);
    expect(upstreamCalls()).toBe(1);
  });

  it("an Anthropic upstream's own answer (passed through) is not stored; a Responses caller's answer from it is", async () => {
    const body = { model: "passed", max_tokens: 16, messages: [{ role: "user", content: fresh() }] };
    for (let i = 0; i < 2; i += 1) {
      const answer = await post("/v1/messages", body);
      expect(answer.status).toBe(200);
      expect(answer.headers.get("x-llmux-cache")).toBe("miss");
      // The upstream's own bytes (the simulator's Message), not validated here.
      expect(((await answer.json()) as Json)["type"]).toBe("message");
    }
    const calls = () => sim.requests.filter((r) => r.path === "/v1/messages").length;
    expect(calls()).toBe(2);
    const responses = { model: "passed", input: fresh() };
    expect((await post("/v1/responses", responses)).headers.get("x-llmux-cache")).toBe("miss");
    expect((await post("/v1/responses", responses)).headers.get("x-llmux-cache")).toBe("hit");
    expect(calls()).toBe(3);
  });

  it("an error is never cached, and says x-llmux-cache on the answer", async () => {
    sim.addFault({ kind: "status", status: 500, key: "key-a" });
    const body = { model: "cached", max_tokens: 16, messages: [{ role: "user", content: fresh() }] };
    const failed = await post("/v1/messages", body);
    expect(failed.status).toBeGreaterThanOrEqual(500);
    expect(failed.headers.get("x-llmux-cache")).toBe("miss");
    expect(((await failed.json()) as Json)["type"]).toBe("error");
    const failedResponses = await post("/v1/responses", { model: "cached", input: fresh() });
    expect(failedResponses.headers.get("x-llmux-cache")).toBe("miss");
    await failedResponses.text();
    const failedChat = await post("/v1/chat/completions", {
      model: "cached",
      messages: [{ role: "user", content: fresh() }],
    });
    expect(failedChat.headers.get("x-llmux-cache")).toBe("miss");
    await failedChat.text();
    sim.clearFaults();
    gateway.engine.resetState();
    const again = await post("/v1/messages", body);
    expect(again.status).toBe(200);
    expect(again.headers.get("x-llmux-cache")).toBe("miss");
    await again.text();
  });
});
