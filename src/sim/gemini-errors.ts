/** Gemini (google.rpc.Status) error bodies: `{"error":{code,message,status,details?}}`. */
import { formatProtoDuration } from "./duration.js";
import type { LimitDimension } from "./limit-owner.js";

/** The google.rpc.Status of an error body. */
export interface GoogleStatus {
  code: number;
  message: string;
  status: string;
  details?: unknown[];
}

const STATUSES: Readonly<Record<number, [status: string, message: string]>> = {
  400: ["INVALID_ARGUMENT", "Request contains an invalid argument."],
  401: [
    "UNAUTHENTICATED",
    "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.",
  ],
  403: ["PERMISSION_DENIED", "The caller does not have permission"],
  404: ["NOT_FOUND", "Requested entity was not found."],
  409: ["ABORTED", "The operation was aborted."],
  429: ["RESOURCE_EXHAUSTED", "Resource has been exhausted (e.g. check quota)."],
  499: ["CANCELLED", "The operation was cancelled."],
  500: [
    "INTERNAL",
    "An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting",
  ],
  501: ["UNIMPLEMENTED", "Operation is not implemented, or supported, or enabled."],
  503: ["UNAVAILABLE", "The model is overloaded. Please try again later."],
  504: ["DEADLINE_EXCEEDED", "Deadline expired before operation could complete."],
};

/** The google.rpc.Status name fitting an HTTP status (other 4xx: FAILED_PRECONDITION, 5xx: INTERNAL). */
export function googleStatusName(code: number): string {
  return STATUSES[code]?.[0] ?? (code >= 500 ? "INTERNAL" : "FAILED_PRECONDITION");
}

/** Serialises a google.rpc.Status body, wrapped in a one-element array when `wrap`. */
export function googleErrorBody(error: GoogleStatus, wrap: boolean): string {
  return JSON.stringify(wrap ? [{ error }] : { error });
}

/** An INVALID_ARGUMENT (400) status with `message`. */
export function invalidArgument(message: string): GoogleStatus {
  return { code: 400, message, status: "INVALID_ARGUMENT" };
}

/** What a 429 `RESOURCE_EXHAUSTED` reports: which quota, its value, the retry delay. */
export interface QuotaExceeded {
  readonly model: string;
  readonly dimension: LimitDimension;
  readonly value: number;
  readonly retryMs: number;
}

const REQUESTS_METRIC = "generativelanguage.googleapis.com/generate_content_free_tier_requests";
const TOKENS_METRIC = "generativelanguage.googleapis.com/generate_content_free_tier_input_token_count";
const TOKENS_PER_MINUTE = "GenerateContentInputTokensPerModelPerMinute-FreeTier";

/** Gemini meters requests and input tokens; the simulator's other token limits report the tokens quota. */
const QUOTAS: Readonly<Record<LimitDimension, readonly [metric: string, id: string]>> = {
  requests: [REQUESTS_METRIC, "GenerateRequestsPerMinutePerProjectPerModel-FreeTier"],
  tokens: [TOKENS_METRIC, TOKENS_PER_MINUTE],
  "input-tokens": [TOKENS_METRIC, TOKENS_PER_MINUTE],
  "output-tokens": [TOKENS_METRIC, TOKENS_PER_MINUTE],
  "requests-per-day": [REQUESTS_METRIC, "GenerateRequestsPerDayPerProjectPerModel-FreeTier"],
  "tokens-per-day": [TOKENS_METRIC, "GenerateContentInputTokensPerModelPerDay-FreeTier"],
};

/**
 * The 429 `RESOURCE_EXHAUSTED` status with `QuotaFailure` (the model's requests or input-tokens quota, per
 * minute or per day), `Help` and `RetryInfo` (`retryDelay` as a protobuf duration, e.g. `"22s"`) details.
 */
export function quotaExceeded(quota: QuotaExceeded): GoogleStatus {
  const [quotaMetric, quotaId] = QUOTAS[quota.dimension];
  return {
    code: 429,
    message: "Resource has been exhausted (e.g. check quota).",
    status: "RESOURCE_EXHAUSTED",
    details: [
      {
        "@type": "type.googleapis.com/google.rpc.QuotaFailure",
        violations: [
          {
            quotaMetric,
            quotaId,
            quotaDimensions: { location: "global", model: quota.model },
            quotaValue: String(quota.value),
          },
        ],
      },
      {
        "@type": "type.googleapis.com/google.rpc.Help",
        links: [
          {
            description: "Learn more about Gemini API quotas",
            url: "https://ai.google.dev/gemini-api/docs/rate-limits",
          },
        ],
      },
      { "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay: formatProtoDuration(quota.retryMs) },
    ],
  };
}

/** Requests-per-minute quota a default 429 fault body reports. */
const DEFAULT_FAULT_RPM = 15;

/**
 * The default body of a `status` fault on the Gemini wire: 503 UNAVAILABLE "The model is overloaded. …",
 * 500 INTERNAL, 429 RESOURCE_EXHAUSTED with the `QuotaFailure`/`Help`/`RetryInfo` (`"1s"`) details of the
 * requests quota, and so on.
 */
export function defaultGeminiError(code: number, model: string): GoogleStatus {
  if (code === 429) {
    return quotaExceeded({ model, dimension: "requests", value: DEFAULT_FAULT_RPM, retryMs: 1000 });
  }
  const known = STATUSES[code];
  return {
    code,
    message: known?.[1] ?? `Simulated error with status ${code}.`,
    status: googleStatusName(code),
  };
}
