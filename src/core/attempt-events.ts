import type { AttemptEndEvent } from "../types/index.js";
import type { Deployment } from "./plan.js";
import type { RequestContext } from "./request-context.js";

/** What differs between the ends of attempts (the request and deployment fields are filled in). */
export type AttemptEnd = Omit<
  AttemptEndEvent,
  "type" | "requestId" | "group" | "deploymentId" | "model" | "provider" | "stream"
>;

/** The `attempt_end` event of one attempt of the request in `context`. */
export function attemptEndEvent(
  context: RequestContext,
  deployment: Deployment,
  end: AttemptEnd,
): AttemptEndEvent {
  return {
    type: "attempt_end",
    requestId: context.requestId,
    group: context.group.name,
    deploymentId: deployment.id,
    model: deployment.model,
    provider: deployment.provider,
    stream: context.stream,
    ...end,
  };
}
