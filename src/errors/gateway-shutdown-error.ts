import { LlmuxError } from "./llmux-error.js";

/**
 * The gateway shut down while the answer was still streaming: the shutdown grace ran out, so the
 * stream is ended with this in-band error instead of being cut without a word.
 */
export class GatewayShutdownError extends LlmuxError {
  constructor(graceMs?: number) {
    const within = graceMs === undefined ? "" : ` within the shutdown grace (${graceMs} ms)`;
    super(
      "gateway_shutdown",
      `The gateway shut down before the stream finished${within}; the answer is incomplete. Retry the request.`,
      { status: 503, retryable: true },
    );
  }
}
