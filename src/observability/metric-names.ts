/** One metric of the catalogue: its name without the prefix, help text, labels and buckets. */
export interface MetricSpec {
  readonly name: string;
  readonly help: string;
  readonly labels: readonly string[];
  /** Histogram buckets, in seconds. */
  readonly buckets?: readonly number[];
}

const deployment = ["deployment", "provider", "model"] as const;

/**
 * The Prometheus metrics `GatewayMetrics` exports; names are without the prefix (`llmux_` by default).
 * Dashboards and tests refer to these; renaming one or changing its labels is a breaking change.
 * Labels come from configuration (deployment ids, providers, models, groups, routes) and from small
 * fixed sets, never from requests or messages.
 */
export const metricCatalogue = {
  requests: {
    name: "requests_total",
    help: "Finished requests by model group, outcome and error code (`none` on success).",
    labels: ["group", "outcome", "error_code"],
  },
  attempts: {
    name: "attempts_total",
    help: "Upstream attempts by deployment, outcome and failure kind (`none` on success).",
    labels: [...deployment, "outcome", "failure"],
  },
  failovers: {
    name: "failovers_total",
    help: "Attempts after the first one of a request (a failure moved on to another try).",
    labels: ["group"],
  },
  streamRecoveries: {
    name: "stream_recoveries_total",
    help: "Streams broken after the commit point and recovered on another deployment, by the deployment that broke and result (prefill, spliced, failed).",
    labels: ["group", "deployment", "result"],
  },
  hedges: {
    name: "hedges_total",
    help: "Hedged first tokens, by the hedge's deployment and result (started; won: it answered first; lost: the raced attempt did).",
    labels: ["group", "deployment", "result"],
  },
  cooldowns: {
    name: "cooldowns_total",
    help: "Deployment cooldowns by reason.",
    labels: ["deployment", "reason"],
  },
  circuitTransitions: {
    name: "circuit_transitions_total",
    help: "Circuit breaker transitions by target state.",
    labels: ["deployment", "to"],
  },
  disabled: {
    name: "deployment_disabled_total",
    help: "Times a deployment was taken out of service (bad key, unknown model).",
    labels: ["deployment"],
  },
  malformedChunks: {
    name: "malformed_chunks_total",
    help: "Upstream stream chunks that could not be read.",
    labels: ["deployment"],
  },
  upstreamLatency: {
    name: "upstream_latency_seconds",
    help: "Duration of successful upstream attempts (streams: to the last event) in seconds.",
    labels: [...deployment, "stream"],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300],
  },
  timeToFirstToken: {
    name: "time_to_first_token_seconds",
    help: "Time from the start of a streaming attempt to its first content in seconds.",
    labels: deployment,
    buckets: [0.05, 0.1, 0.2, 0.35, 0.5, 0.75, 1, 1.5, 2, 3, 5, 10, 30],
  },
  tokens: {
    name: "tokens_total",
    help: "Tokens reported in upstream usage, by kind (prompt, completion).",
    labels: [...deployment, "kind"],
  },
  deploymentState: {
    name: "deployment_state",
    help: "Deployment state: 1 for the current state, 0 for the others.",
    labels: [...deployment, "state"],
  },
  rateLimitRemaining: {
    name: "ratelimit_remaining",
    help: "Remaining quota the provider last reported, by dimension.",
    labels: [...deployment, "dimension"],
  },
  rateLimitLimit: {
    name: "ratelimit_limit",
    help: "Quota size the provider last reported, by dimension.",
    labels: [...deployment, "dimension"],
  },
  gatewayOverhead: {
    name: "gateway_overhead_seconds",
    help: "Gateway time minus upstream time per request in seconds.",
    labels: ["stream"],
    buckets: [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1],
  },
  httpRequests: {
    name: "http_requests_total",
    help: "Gateway HTTP requests by route pattern, method and status.",
    labels: ["route", "method", "status"],
  },
  httpDuration: {
    name: "http_request_duration_seconds",
    help: "Gateway HTTP request duration in seconds.",
    labels: ["route", "method"],
    buckets: [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
  },
  learnedCapacity: {
    name: "learned_capacity",
    help: "What llmux learned a deployment's provider-side bucket holds when full (its burst), by dimension.",
    labels: [...deployment, "dimension"],
  },
  learnedRefill: {
    name: "learned_refill_per_minute",
    help: "The learned refill rate of a deployment's bucket, units per minute, by dimension.",
    labels: [...deployment, "dimension"],
  },
  learnedRemaining: {
    name: "learned_remaining",
    help: "What llmux's mirror of a deployment's bucket says is left now, by dimension.",
    labels: [...deployment, "dimension"],
  },
  learnedInFlight: {
    name: "learned_in_flight",
    help: "Units charged to a deployment's bucket by this node's requests still waiting for their answer.",
    labels: [...deployment, "dimension"],
  },
  learnedAnswers: {
    name: "learned_answers",
    help: "Answers the learned capacity has seen for a deployment's bucket (every node), and how many were 429s.",
    labels: [...deployment, "outcome"],
  },
  redisConnected: {
    name: "redis_connected",
    help: "1 while the shared Redis state store is connected (present once a store reports).",
    labels: [],
  },
} as const satisfies Record<string, MetricSpec>;

/** The states of the `deployment_state` gauge. */
export const deploymentStates = ["available", "cooling", "circuit_open", "half_open", "disabled"] as const;

/** One value of the `state` label. */
export type DeploymentStateName = (typeof deploymentStates)[number];

/** The `dimension` label values of the rate-limit gauges. */
export type RateLimitDimensionName = "requests" | "tokens" | "input_tokens" | "output_tokens";
