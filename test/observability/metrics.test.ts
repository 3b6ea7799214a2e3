import { describe, expect, it } from "vitest";
import { register as globalRegistry } from "prom-client";
import { GatewayMetrics, type DeploymentStateSample } from "../../src/observability/metrics.js";
import type {
  AttemptEndEvent,
  AttemptStartEvent,
  DeploymentHealth,
  RequestEndEvent,
} from "../../src/types/index.js";
import { deploymentState } from "../../src/state/index.js";
import { rateLimitSnapshot } from "../../src/util/index.js";

const t0 = 1_750_000_000_000;
const openai = 'deployment="openai-1/gpt-4.1",provider="openai",model="gpt-4.1"';
const groq = 'deployment="groq-1/llama-3.3-70b",provider="groq",model="llama-3.3-70b"';

function start(overrides: Partial<AttemptStartEvent> = {}): AttemptStartEvent {
  return {
    type: "attempt_start",
    requestId: "req-1",
    group: "gpt-4.1",
    deploymentId: "openai-1/gpt-4.1",
    model: "gpt-4.1",
    provider: "openai",
    attempt: 1,
    stream: false,
    at: t0,
    ...overrides,
  };
}

function end(overrides: Partial<AttemptEndEvent> = {}): AttemptEndEvent {
  return {
    type: "attempt_end",
    requestId: "req-1",
    group: "gpt-4.1",
    deploymentId: "openai-1/gpt-4.1",
    model: "gpt-4.1",
    provider: "openai",
    attempt: 1,
    stream: false,
    outcome: "success",
    failure: null,
    status: 200,
    message: null,
    durationMs: 420,
    firstTokenMs: 420,
    usage: null,
    afterCommit: false,
    rateLimits: null,
    at: t0,
    ...overrides,
  };
}

function failed(overrides: Partial<AttemptEndEvent> = {}): AttemptEndEvent {
  return end({
    outcome: "failure",
    failure: "rate_limited",
    status: 429,
    message: "slow down",
    ...overrides,
  });
}

function requestEnd(overrides: Partial<RequestEndEvent> = {}): RequestEndEvent {
  return {
    type: "request_end",
    requestId: "req-1",
    group: "gpt-4.1",
    stream: false,
    outcome: "success",
    errorCode: null,
    deploymentId: "openai-1/gpt-4.1",
    attempts: 1,
    durationMs: 421,
    upstreamMs: 420,
    at: t0,
    ...overrides,
  };
}

function health(overrides: Partial<DeploymentHealth> = {}): DeploymentHealth {
  return {
    cooldownUntil: 0,
    cooldownReason: null,
    backoffLevel: 0,
    circuit: "closed",
    consecutiveFailures: 0,
    circuitOpenUntil: 0,
    circuitOpenCount: 0,
    probeLeaseUntil: 0,
    disabledReason: null,
    disabledAt: 0,
    ...overrides,
  };
}

function metrics(options: ConstructorParameters<typeof GatewayMetrics>[0] = {}): GatewayMetrics {
  return new GatewayMetrics({ processMetrics: false, ...options });
}

/** The sample lines of the rendered text (no HELP/TYPE comments). */
async function samples(gateway: GatewayMetrics): Promise<string[]> {
  return (await gateway.render()).split("\n").filter((line) => line !== "" && !line.startsWith("#"));
}

describe("GatewayMetrics: engine events", () => {
  it("counts attempts by deployment, outcome and failure kind", async () => {
    const m = metrics();
    m.listener(failed());
    m.listener(end({ attempt: 2 }));
    m.listener(end());
    m.listener(failed({ failure: "server_error", status: 500 }));
    m.listener(failed({ failure: null }));
    const lines = await samples(m);
    expect(lines).toContain(`llmux_attempts_total{${openai},outcome="failure",failure="rate_limited"} 1`);
    expect(lines).toContain(`llmux_attempts_total{${openai},outcome="success",failure="none"} 2`);
    expect(lines).toContain(`llmux_attempts_total{${openai},outcome="failure",failure="server_error"} 1`);
    expect(lines).toContain(`llmux_attempts_total{${openai},outcome="failure",failure="unknown"} 1`);
  });

  it("counts requests by group, outcome and error code, keeping codes bounded", async () => {
    const m = metrics();
    m.listener(requestEnd());
    m.listener(requestEnd());
    m.listener(requestEnd({ outcome: "failure", errorCode: "all_deployments_failed", deploymentId: null }));
    m.listener(requestEnd({ group: "smart", outcome: "failure", errorCode: null }));
    m.listener(requestEnd({ group: "smart", outcome: "failure", errorCode: "has spaces and a message" }));
    const lines = await samples(m);
    expect(lines).toContain('llmux_requests_total{group="gpt-4.1",outcome="success",error_code="none"} 2');
    expect(lines).toContain(
      'llmux_requests_total{group="gpt-4.1",outcome="failure",error_code="all_deployments_failed"} 1',
    );
    expect(lines).toContain('llmux_requests_total{group="smart",outcome="failure",error_code="unknown"} 1');
    expect(lines).toContain('llmux_requests_total{group="smart",outcome="failure",error_code="other"} 1');
  });

  it("caps the number of distinct error codes", async () => {
    const m = metrics();
    for (let i = 0; i < 100; i += 1)
      m.listener(requestEnd({ outcome: "failure", errorCode: `code_${i}`, deploymentId: null }));
    const lines = (await samples(m)).filter((line) => line.startsWith("llmux_requests_total"));
    expect(lines).toHaveLength(65);
    expect(lines).toContain('llmux_requests_total{group="gpt-4.1",outcome="failure",error_code="other"} 36');
  });

  it("counts a failover for every attempt after the first", async () => {
    const m = metrics();
    m.listener(start());
    m.listener(failed());
    m.listener(start({ attempt: 2, deploymentId: "groq-1/llama-3.3-70b" }));
    m.listener(failed({ attempt: 2, deploymentId: "groq-1/llama-3.3-70b" }));
    m.listener(start({ attempt: 3 }));
    m.listener(start({ group: "smart" }));
    const lines = await samples(m);
    expect(lines).toContain('llmux_failovers_total{group="gpt-4.1"} 2');
    expect(lines.some((line) => line.startsWith('llmux_failovers_total{group="smart"}'))).toBe(false);
  });

  it("counts cooldowns, circuit transitions, disablements and malformed chunks", async () => {
    const m = metrics();
    const id = "openai-1/gpt-4.1";
    m.listener({
      type: "cooldown",
      deploymentId: id,
      reason: "rate_limited",
      until: t0 + 5000,
      durationMs: 5000,
      fromProvider: true,
      at: t0,
    });
    m.listener({
      type: "cooldown",
      deploymentId: id,
      reason: "rate_limited",
      until: t0 + 9000,
      durationMs: 9000,
      fromProvider: false,
      at: t0,
    });
    m.listener({
      type: "cooldown",
      deploymentId: id,
      reason: "overloaded",
      until: t0 + 1000,
      durationMs: 1000,
      fromProvider: false,
      at: t0,
    });
    m.listener({ type: "circuit", deploymentId: id, from: "closed", to: "open", until: t0 + 10_000, at: t0 });
    m.listener({ type: "circuit", deploymentId: id, from: "half_open", to: "closed", until: 0, at: t0 });
    m.listener({ type: "disabled", deploymentId: id, reason: "invalid api key sk-test-SECRET123", at: t0 });
    m.listener({ type: "malformed_chunk", deploymentId: id, requestId: "req-1", at: t0 });
    m.listener({ type: "malformed_chunk", deploymentId: id, requestId: "req-2", at: t0 });
    const text = await m.render();
    const lines = await samples(m);
    expect(lines).toContain(`llmux_cooldowns_total{deployment="${id}",reason="rate_limited"} 2`);
    expect(lines).toContain(`llmux_cooldowns_total{deployment="${id}",reason="overloaded"} 1`);
    expect(lines).toContain(`llmux_circuit_transitions_total{deployment="${id}",to="open"} 1`);
    expect(lines).toContain(`llmux_circuit_transitions_total{deployment="${id}",to="closed"} 1`);
    expect(lines).toContain(`llmux_deployment_disabled_total{deployment="${id}"} 1`);
    expect(lines).toContain(`llmux_malformed_chunks_total{deployment="${id}"} 2`);
    expect(text).not.toContain("SECRET123");
    expect(text).not.toContain("req-1");
  });

  it("observes upstream latency of successes by stream, and time to first token of streams", async () => {
    const m = metrics();
    m.listener(end({ durationMs: 420 }));
    m.listener(end({ durationMs: 1500 }));
    m.listener(end({ stream: true, durationMs: 3000, firstTokenMs: 180 }));
    m.listener(failed({ durationMs: 30_000 }));
    const lines = await samples(m);
    const nonStream = `${openai},stream="false"`;
    expect(lines).toContain(`llmux_upstream_latency_seconds_bucket{le="0.25",${nonStream}} 0`);
    expect(lines).toContain(`llmux_upstream_latency_seconds_bucket{le="0.5",${nonStream}} 1`);
    expect(lines).toContain(`llmux_upstream_latency_seconds_bucket{le="2",${nonStream}} 2`);
    expect(lines).toContain(`llmux_upstream_latency_seconds_sum{${nonStream}} 1.92`);
    expect(lines).toContain(`llmux_upstream_latency_seconds_count{${nonStream}} 2`);
    expect(lines).toContain(`llmux_upstream_latency_seconds_count{${openai},stream="true"} 1`);
    expect(lines).toContain(`llmux_time_to_first_token_seconds_bucket{le="0.2",${openai}} 1`);
    expect(lines).toContain(`llmux_time_to_first_token_seconds_sum{${openai}} 0.18`);
    expect(lines).toContain(`llmux_time_to_first_token_seconds_count{${openai}} 1`);
  });

  it("counts prompt and completion tokens from usage", async () => {
    const m = metrics();
    m.listener(end({ usage: { prompt_tokens: 12, completion_tokens: 30, total_tokens: 42 } }));
    m.listener(end({ usage: { prompt_tokens: 8, completion_tokens: 0, total_tokens: 8 } }));
    m.listener(
      end({
        deploymentId: "groq-1/llama-3.3-70b",
        provider: "groq",
        model: "llama-3.3-70b",
        usage: { prompt_tokens: 5, completion_tokens: 7, total_tokens: 12 },
      }),
    );
    const lines = await samples(m);
    expect(lines).toContain(`llmux_tokens_total{${openai},kind="prompt"} 20`);
    expect(lines).toContain(`llmux_tokens_total{${openai},kind="completion"} 30`);
    expect(lines).toContain(`llmux_tokens_total{${groq},kind="prompt"} 5`);
    expect(lines).toContain(`llmux_tokens_total{${groq},kind="completion"} 7`);
  });

  it("sets the rate-limit gauges from the upstream headers, last report wins", async () => {
    const m = metrics();
    m.listener(
      end({
        rateLimits: rateLimitSnapshot(
          {
            "x-ratelimit-limit-requests": "60",
            "x-ratelimit-remaining-requests": "59",
            "x-ratelimit-limit-tokens": "150000",
            "x-ratelimit-remaining-tokens": "149984",
            "x-ratelimit-reset-tokens": "6m0s",
          },
          t0,
        ),
      }),
    );
    m.listener(
      failed({
        rateLimits: rateLimitSnapshot({ "x-ratelimit-remaining-requests": "0", "retry-after": "2" }, t0),
      }),
    );
    m.listener(
      end({
        deploymentId: "anthropic-1/claude",
        provider: "anthropic",
        model: "claude",
        rateLimits: rateLimitSnapshot(
          {
            "anthropic-ratelimit-input-tokens-limit": "40000",
            "anthropic-ratelimit-input-tokens-remaining": "39500",
            "anthropic-ratelimit-output-tokens-remaining": "7000",
          },
          t0,
        ),
      }),
    );
    const lines = await samples(m);
    expect(lines).toContain(`llmux_ratelimit_remaining{${openai},dimension="requests"} 0`);
    expect(lines).toContain(`llmux_ratelimit_limit{${openai},dimension="requests"} 60`);
    expect(lines).toContain(`llmux_ratelimit_remaining{${openai},dimension="tokens"} 149984`);
    expect(lines).toContain(`llmux_ratelimit_limit{${openai},dimension="tokens"} 150000`);
    const claude = 'deployment="anthropic-1/claude",provider="anthropic",model="claude"';
    expect(lines).toContain(`llmux_ratelimit_remaining{${claude},dimension="input_tokens"} 39500`);
    expect(lines).toContain(`llmux_ratelimit_limit{${claude},dimension="input_tokens"} 40000`);
    expect(lines).toContain(`llmux_ratelimit_remaining{${claude},dimension="output_tokens"} 7000`);
  });
});

describe("GatewayMetrics: deployment state gauge", () => {
  it("computes one state per deployment at scrape time", async () => {
    let now = t0;
    const healths = new Map<string, DeploymentHealth>([
      ["openai-1/gpt-4.1", health()],
      ["groq-1/llama-3.3-70b", health({ cooldownUntil: t0 + 5000, cooldownReason: "rate_limited" })],
    ]);
    const states = (): DeploymentStateSample[] => [
      {
        deploymentId: "openai-1/gpt-4.1",
        provider: "openai",
        model: "gpt-4.1",
        state: deploymentState(healths.get("openai-1/gpt-4.1")!, now),
      },
      {
        deploymentId: "groq-1/llama-3.3-70b",
        provider: "groq",
        model: "llama-3.3-70b",
        state: deploymentState(healths.get("groq-1/llama-3.3-70b")!, now),
      },
    ];
    const m = metrics({ deploymentStates: states });
    let lines = await samples(m);
    expect(lines).toContain(`llmux_deployment_state{${openai},state="available"} 1`);
    expect(lines).toContain(`llmux_deployment_state{${openai},state="cooling"} 0`);
    expect(lines).toContain(`llmux_deployment_state{${openai},state="circuit_open"} 0`);
    expect(lines).toContain(`llmux_deployment_state{${openai},state="half_open"} 0`);
    expect(lines).toContain(`llmux_deployment_state{${openai},state="disabled"} 0`);
    expect(lines).toContain(`llmux_deployment_state{${groq},state="cooling"} 1`);
    expect(lines).toContain(`llmux_deployment_state{${groq},state="available"} 0`);
    expect(lines.filter((line) => line.startsWith("llmux_deployment_state{"))).toHaveLength(10);

    now = t0 + 6000;
    healths.set("openai-1/gpt-4.1", health({ disabledReason: "auth", disabledAt: t0 }));
    lines = await samples(m);
    expect(lines).toContain(`llmux_deployment_state{${openai},state="disabled"} 1`);
    expect(lines).toContain(`llmux_deployment_state{${openai},state="available"} 0`);
    expect(lines).toContain(`llmux_deployment_state{${groq},state="available"} 1`);
    expect(lines).toContain(`llmux_deployment_state{${groq},state="cooling"} 0`);
  });

  it("drops deployments that are gone", async () => {
    let list: DeploymentStateSample[] = [
      {
        deploymentId: "openai-1/gpt-4.1",
        provider: "openai",
        model: "gpt-4.1",
        state: deploymentState(health(), t0),
      },
    ];
    const m = metrics({ deploymentStates: () => list });
    expect((await samples(m)).filter((line) => line.includes("deployment_state"))).toHaveLength(5);
    list = [];
    expect((await samples(m)).filter((line) => line.includes("deployment_state"))).toHaveLength(0);
  });

  it.each([
    ["a fresh deployment", health(), "available"],
    ["a cooldown in the future", health({ cooldownUntil: t0 + 1 }), "cooling"],
    ["a cooldown that ended", health({ cooldownUntil: t0 }), "available"],
    ["an open circuit", health({ circuit: "open", circuitOpenUntil: t0 + 1000 }), "circuit_open"],
    ["an open circuit whose wait is over", health({ circuit: "open", circuitOpenUntil: t0 }), "half_open"],
    ["a half-open circuit", health({ circuit: "half_open", probeLeaseUntil: t0 + 1000 }), "half_open"],
    [
      "cooling and open",
      health({ circuit: "open", circuitOpenUntil: t0 + 1000, cooldownUntil: t0 + 5 }),
      "cooling",
    ],
    ["disabled while cooling", health({ disabledReason: "auth", cooldownUntil: t0 + 5 }), "disabled"],
  ] as const)("deploymentState: %s is %s", (_name, value, expected) => {
    expect(deploymentState(value, t0).status).toBe(expected);
  });
});

describe("GatewayMetrics: gateway", () => {
  it("counts HTTP requests by route, method and status, with durations by route and method", async () => {
    const m = metrics();
    m.observeHttp("/v1/chat/completions", "POST", 200, 0.4);
    m.observeHttp("/v1/chat/completions", "POST", 200, 0.6);
    m.observeHttp("/v1/chat/completions", "POST", 429, 0.01);
    m.observeHttp("unknown", "BREW", 404, 0.001);
    const lines = await samples(m);
    expect(lines).toContain(
      'llmux_http_requests_total{route="/v1/chat/completions",method="POST",status="200"} 2',
    );
    expect(lines).toContain(
      'llmux_http_requests_total{route="/v1/chat/completions",method="POST",status="429"} 1',
    );
    expect(lines).toContain('llmux_http_requests_total{route="unknown",method="OTHER",status="404"} 1');
    expect(lines).toContain(
      'llmux_http_request_duration_seconds_count{route="/v1/chat/completions",method="POST"} 3',
    );
  });

  it("observes the gateway overhead with sub-millisecond buckets", async () => {
    const m = metrics();
    m.observeOverhead(0.00004, false);
    m.observeOverhead(0.0003, false);
    m.observeOverhead(0.002, true);
    m.observeOverhead(-1, true);
    const lines = await samples(m);
    expect(lines).toContain('llmux_gateway_overhead_seconds_bucket{le="0.00005",stream="false"} 1');
    expect(lines).toContain('llmux_gateway_overhead_seconds_bucket{le="0.0005",stream="false"} 2');
    expect(lines).toContain('llmux_gateway_overhead_seconds_bucket{le="0.00005",stream="true"} 1');
    expect(lines).toContain('llmux_gateway_overhead_seconds_bucket{le="0.0025",stream="true"} 2');
    expect(lines).toContain('llmux_gateway_overhead_seconds_count{stream="true"} 2');
  });

  it("shows the Redis gauge once a store reports", async () => {
    const m = metrics();
    expect(await m.render()).not.toContain("llmux_redis_connected");
    m.setRedisConnected(true);
    expect(await samples(m)).toContain("llmux_redis_connected 1");
    m.setRedisConnected(false);
    expect(await samples(m)).toContain("llmux_redis_connected 0");
  });

  it("renders the Prometheus text format", async () => {
    const m = metrics();
    expect(m.contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await m.render();
    expect(text).toContain("# HELP llmux_attempts_total ");
    expect(text).toContain("# TYPE llmux_attempts_total counter");
    expect(text).toContain("# TYPE llmux_upstream_latency_seconds histogram");
    expect(text).not.toContain("llmux_deployment_state");
  });
});

describe("GatewayMetrics: isolation", () => {
  it("keeps two instances apart and leaves the global registry alone", async () => {
    const before = (await globalRegistry.getMetricsAsJSON()).length;
    const first = metrics();
    const second = metrics();
    first.listener(failed());
    second.listener(end());
    second.listener(end());
    const firstLines = await samples(first);
    const secondLines = await samples(second);
    expect(firstLines).toContain(
      `llmux_attempts_total{${openai},outcome="failure",failure="rate_limited"} 1`,
    );
    expect(firstLines.some((line) => line.includes('outcome="success"'))).toBe(false);
    expect(secondLines).toContain(`llmux_attempts_total{${openai},outcome="success",failure="none"} 2`);
    expect(secondLines.some((line) => line.includes('outcome="failure"'))).toBe(false);
    expect(first.registry).not.toBe(second.registry);
    expect((await globalRegistry.getMetricsAsJSON()).length).toBe(before);
  });

  it("registers process metrics on its own registry unless turned off", async () => {
    const withProcess = new GatewayMetrics();
    const another = new GatewayMetrics();
    expect(await withProcess.render()).toContain("process_cpu_user_seconds_total");
    expect(await another.render()).toContain("nodejs_heap_size_total_bytes");
    expect(await metrics().render()).not.toContain("process_cpu_user_seconds_total");
    expect(await globalRegistry.metrics()).not.toContain("process_cpu_user_seconds_total");
  });

  it("gives the same counts on repeated scrapes and keeps counting between them", async () => {
    const m = metrics();
    m.listener(end());
    m.listener(requestEnd());
    const line = `llmux_attempts_total{${openai},outcome="success",failure="none"}`;
    expect(await samples(m)).toContain(`${line} 1`);
    expect(await samples(m)).toContain(`${line} 1`);
    m.listener(end());
    expect(await samples(m)).toContain(`${line} 2`);
    expect(await samples(m)).toContain(
      'llmux_requests_total{group="gpt-4.1",outcome="success",error_code="none"} 1',
    );
  });

  it("uses the prefix it is given", async () => {
    const m = metrics({ prefix: "gw_" });
    m.listener(end());
    expect(await samples(m)).toContain(`gw_attempts_total{${openai},outcome="success",failure="none"} 1`);
  });

  it("never throws into the engine on odd numbers", () => {
    const m = metrics();
    expect(() => {
      m.listener(end({ durationMs: Number.NaN, firstTokenMs: Number.POSITIVE_INFINITY, stream: true }));
      m.listener(end({ usage: { prompt_tokens: -3, completion_tokens: Number.NaN, total_tokens: 0 } }));
      m.observeHttp("/x", "GET", 200, Number.NaN);
      m.observeOverhead(Number.NaN, false);
    }).not.toThrow();
  });
});
