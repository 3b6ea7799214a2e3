export { Engine } from "./engine.js";
export type { ChatOutcome, StreamOutcome, EmbeddingsOutcome, Outcome } from "./outcomes.js";
export { EngineEvents, type EngineListener } from "./events.js";
export { resolveEngineOptions, type EngineOptions, type ResolvedEngineOptions } from "./options.js";
export { buildGroup, type Deployment, type DeploymentTimeouts, type Group, type Strategy } from "./plan.js";
export { classifyFailure } from "./classify.js";
export { decide, type FailureDecision, type FailurePolicyOptions } from "./policy.js";
export { pickWeighted, pickRoundRobin } from "./select.js";
export { Selector } from "./selector.js";
export type { CallOptions } from "./session/request-session.js";
export { Cancellation } from "./cancellation.js";
export type { OutputBatch, OutputSink, RelayEnd } from "./relay/stream-relay.js";
export { CapacityGate, bucketKey, type Reservation } from "./capacity-gate.js";
export { groupsFromSpecs } from "./plan-from-specs.js";
export { createTargets } from "./transport/target-factory.js";
export { OpenAIHttpTarget, type OpenAIHttpTargetOptions } from "./transport/openai-http-target.js";
export { AnthropicHttpTarget, type AnthropicTargetOptions } from "./transport/anthropic-http-target.js";
export { GeminiHttpTarget, type GeminiTargetOptions } from "./transport/gemini-http-target.js";
export { serializeJson } from "./transport/json-body.js";
export {
  createUpstreamAgent,
  closingUnusedReconnects,
  type UpstreamAgentOptions,
} from "./transport/upstream-agent.js";
export { healthTransitions, deploymentState, canTakeRequests, isAvailable } from "../state/index.js";
export { openAIEventBatches } from "./transport/native-stream.js";
