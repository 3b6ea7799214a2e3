import type { FastifyReply } from "fastify";
import {
  AbortedError,
  LlmuxError,
  RateLimitedError,
  SpendError,
  redactSecrets,
  type SecretRedactor,
  toOpenAIErrorBody,
} from "../errors/index.js";
import type { OpenAIErrorBody } from "../types/index.js";
import { GatewayHttpError } from "./http-error.js";

/** An HTTP error answer: status, headers and the OpenAI error body. */
export interface ErrorAnswer {
  status: number;
  headers: Record<string, string>;
  body: OpenAIErrorBody;
}

function goDuration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.ceil(ms))}ms`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = (ms % 60_000) / 1000;
  return minutes > 0 ? `${minutes}m${seconds.toFixed(0)}s` : `${seconds.toFixed(3).replace(/\.?0+$/, "")}s`;
}

/** Headers that tell a client when to come back. */
export function retryHeaders(retryAfterMs: number): Record<string, string> {
  const ms = Math.max(0, Math.ceil(retryAfterMs));
  return {
    "retry-after": String(Math.max(1, Math.ceil(ms / 1000))),
    "retry-after-ms": String(ms),
    "x-ratelimit-remaining-requests": "0",
    "x-ratelimit-reset-requests": goDuration(ms),
  };
}

/** Fastify's own error codes that are the client's fault. */
const clientErrors: Record<
  string,
  { status: number; message: (error: Error) => string; param: string | null }
> = {
  FST_ERR_CTP_BODY_TOO_LARGE: {
    status: 413,
    message: () => "Request body is larger than the gateway's limit.",
    param: null,
  },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    status: 415,
    message: () => "Unsupported content type; send application/json.",
    param: null,
  },
  FST_ERR_CTP_EMPTY_JSON_BODY: {
    status: 400,
    message: () => "The request body is empty; send a JSON object.",
    param: null,
  },
  FST_ERR_CTP_INVALID_JSON_BODY: {
    status: 400,
    message: (e) => `Malformed JSON body: ${e.message}`,
    param: null,
  },
  FST_ERR_BAD_URL: {
    status: 400,
    message: () => "Malformed URL: a path segment is not valid percent-encoding.",
    param: null,
  },
  FST_ERR_MAX_PARAM_LENGTH: {
    status: 414,
    message: () => "A URL path segment is longer than the gateway accepts (100 characters).",
    param: null,
  },
};

/**
 * The single mapping from any error to an HTTP answer with the OpenAI error body: llmux errors keep
 * their status (429 gets `Retry-After` and `x-ratelimit-*` for the earliest recovery), fastify's
 * client errors become 400/413/415, the shell's own refusals ({@link GatewayHttpError}) keep their
 * status and code, anything else a 500 whose message holds no secrets. With a `redactor`, every
 * configured secret is masked in the message.
 */
export function errorAnswer(error: unknown, redactor?: SecretRedactor): ErrorAnswer {
  const answer = answerOf(error);
  if (redactor) answer.body.error.message = redactor.redact(answer.body.error.message);
  return answer;
}

function answerOf(error: unknown): ErrorAnswer {
  if (error instanceof GatewayHttpError) {
    return {
      status: error.statusCode,
      headers: error.closeConnection ? { connection: "close" } : {},
      body: {
        error: { message: error.message, type: "invalid_request_error", param: null, code: error.openAICode },
      },
    };
  }
  if (error instanceof SpendError) {
    // Spend refusals keep their structured body (`details`: limit, estimate, spent, resets_at…).
    return {
      status: error.status,
      headers: { ...error.headers },
      body: error.body as unknown as OpenAIErrorBody,
    };
  }
  if (error instanceof LlmuxError) {
    const headers =
      error instanceof RateLimitedError || (error.retryAfterMs !== null && error.status >= 500)
        ? retryHeaders(error.retryAfterMs ?? 0)
        : {};
    return { status: error.status, headers, body: toOpenAIErrorBody(error) };
  }
  const code = typeof error === "object" && error !== null && "code" in error ? String(error.code) : "";
  const known = clientErrors[code];
  if (known && error instanceof Error) {
    return {
      status: known.status,
      headers: {},
      body: {
        error: {
          message: redactSecrets(known.message(error)),
          type: "invalid_request_error",
          param: known.param,
          code: null,
        },
      },
    };
  }
  if (error instanceof SyntaxError) {
    return {
      status: 400,
      headers: {},
      body: {
        error: {
          message: `Malformed JSON body: ${error.message}`,
          type: "invalid_request_error",
          param: null,
          code: null,
        },
      },
    };
  }
  const status =
    typeof error === "object" && error !== null && "statusCode" in error ? Number(error.statusCode) : 500;
  if (status >= 400 && status < 500 && error instanceof Error) {
    return {
      status,
      headers: {},
      body: {
        error: {
          message: redactSecrets(error.message),
          type: "invalid_request_error",
          param: null,
          code: null,
        },
      },
    };
  }
  return {
    status: 500,
    headers: {},
    body: { error: { message: "Internal gateway error.", type: "server_error", param: null, code: null } },
  };
}

/** Sends an error answer, secrets masked (nothing when the client is gone). */
export function sendError(reply: FastifyReply, error: unknown): FastifyReply | undefined {
  if (error instanceof AbortedError || reply.raw.destroyed) return undefined;
  const answer = errorAnswer(error, reply.server.llmuxRedactor);
  return reply.code(answer.status).headers(answer.headers).send(answer.body);
}
