import { UpstreamNetworkError } from "../../errors/index.js";

/** Thrown before the commit point when the stream breaks; classified like any attempt failure. */
export class StreamFailure extends UpstreamNetworkError {
  constructor(
    message: string,
    readonly kind: "stream_cut" | "stream_error",
    readonly errorType: string | null,
    cause?: unknown,
  ) {
    super(message, kind, cause);
  }
}
