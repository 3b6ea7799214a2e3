import type { Dispatcher } from "undici";
import { UpstreamHttpError, UpstreamNetworkError } from "../../errors/index.js";
import {
  createAnthropicStreamMapper,
  dropUnsignedThinking,
  fromAnthropicMessage,
} from "../../providers/anthropic/index.js";
import { topLevelStringRange } from "../../providers/openai/index.js";
import type {
  AttemptOptions,
  ChatCompletionBody,
  ChatResult,
  ChatStreamResult,
  HeaderMap,
  RequestSource,
} from "../../types/index.js";
import { safeJsonParse } from "../../util/index.js";
import { mapAnswer } from "./http-post.js";
import { passThroughBatchSource } from "./native-stream.js";
import { post, type UpstreamResponse } from "./post.js";

/** What a pass-through call needs from its Anthropic target. */
export interface PassThroughContext {
  provider: string;
  dispatcher: Dispatcher;
  /** The upstream origin and the path of the Messages endpoint (`/v1/messages`). */
  origin: string;
  path: string;
  /** The target's headers (key, default `anthropic-version`, configured headers). */
  headers: Readonly<Record<string, string>>;
  fail: (status: number, headers: HeaderMap, text: string) => unknown;
  /** Drop a beta the upstream refuses and send again (`drop_unsupported_betas`); its refused betas. */
  dropBetas: Set<string> | null;
}

/**
 * The upstream body of an Anthropic caller's request: the caller's JSON text byte for byte with
 * only `model` spliced in (so `cache_control`, thinking blocks and their signatures, unknown fields
 * stay exactly as sent), after {@link dropUnsignedThinking} — when that removed something (thinking
 * another upstream produced in an earlier turn), the body is serialised again.
 */
export function passThroughBody(source: RequestSource, model: string): string {
  const body = dropUnsignedThinking(source.body);
  if (body === source.body) {
    const range = topLevelStringRange(source.text, "model");
    if (range !== null)
      return `${source.text.slice(0, range[0])}${JSON.stringify(model)}${source.text.slice(range[1])}`;
  }
  return JSON.stringify({ ...body, model });
}

/** The betas of an `anthropic-beta` header value (comma-separated). */
function betaList(value: string | undefined): string[] {
  if (value === undefined) return [];
  return value
    .split(",")
    .map((beta) => beta.trim())
    .filter((beta) => beta !== "");
}

/**
 * The request headers: the target's, the caller's `anthropic-version` and `anthropic-beta` (and any
 * other dialect header the route kept) over them, minus the betas this upstream refused before.
 */
export function passThroughHeaders(
  context: PassThroughContext,
  source: RequestSource,
  stream: boolean,
): Record<string, string> {
  const headers: Record<string, string> = { ...context.headers, ...source.headers };
  if (stream) headers["accept"] = "text/event-stream";
  const refused = context.dropBetas;
  if (refused !== null && refused.size > 0 && headers["anthropic-beta"] !== undefined) {
    const kept = betaList(headers["anthropic-beta"]).filter((beta) => !refused.has(beta));
    if (kept.length === 0) delete headers["anthropic-beta"];
    else headers["anthropic-beta"] = kept.join(",");
  }
  return headers;
}

/**
 * The betas a 400 refuses, when it is about the `anthropic-beta` header: those of `sent` that the
 * error names (Anthropic: "Unexpected value(s) `x` for the `anthropic-beta` header"), or all of
 * them when it names none. Empty when the error is about something else.
 */
export function refusedBetas(error: unknown, sent: readonly string[]): string[] {
  if (!(error instanceof UpstreamHttpError) || error.status !== 400 || sent.length === 0) return [];
  const text = `${error.message} ${typeof error.body === "string" ? error.body : JSON.stringify(error.body)}`;
  if (!/beta/i.test(text)) return [];
  const named = sent.filter((beta) => text.includes(beta));
  return named.length > 0 ? named : [...sent];
}

/**
 * POSTs the pass-through body; with `drop_unsupported_betas`, a 400 refusing betas of
 * `anthropic-beta` is answered by sending again without them (at most twice; the target then leaves
 * them out of later requests too).
 */
async function send(
  context: PassThroughContext,
  source: RequestSource,
  model: string,
  stream: boolean,
  attempt: AttemptOptions,
): Promise<UpstreamResponse> {
  const body = passThroughBody(source, model);
  for (let round = 0; ; round += 1) {
    const headers = passThroughHeaders(context, source, stream);
    const target = { origin: context.origin, path: context.path };
    try {
      return await post(context.dispatcher, target, headers, body, attempt, context.provider, context.fail);
    } catch (error) {
      const refused = context.dropBetas;
      const betas = refusedBetas(error, betaList(headers["anthropic-beta"]));
      if (refused === null || betas.length === 0 || round >= 2 || attempt.aborted) throw error;
      for (const beta of betas) refused.add(beta);
    }
  }
}

/** A non-streaming pass-through: the upstream's Message bytes as `raw`, read once for the summary. */
export async function passThroughChat(
  context: PassThroughContext,
  source: RequestSource,
  model: string,
  attempt: AttemptOptions,
): Promise<ChatResult> {
  const response = await send(context, source, model, false, attempt);
  const raw = await response.body.bytes();
  const json = safeJsonParse(raw.toString("utf8"));
  if (json === undefined) {
    throw new UpstreamNetworkError(
      `${context.provider}: answered ${response.status} with a body that is not JSON`,
      "EBADBODY",
      undefined,
      context.provider,
    );
  }
  const body: ChatCompletionBody = mapAnswer(context.provider, () => fromAnthropicMessage(json, Date.now()));
  return {
    meta: { status: response.status, headers: response.headers },
    body,
    raw,
    usage: body.usage ?? null,
  };
}

/** A streaming pass-through: batches keep the upstream's Anthropic bytes; events summarise them. */
export async function passThroughStream(
  context: PassThroughContext,
  source: RequestSource,
  model: string,
  attempt: AttemptOptions,
): Promise<ChatStreamResult> {
  const response = await send(context, source, model, true, attempt);
  const map = createAnthropicStreamMapper({ now: Date.now() });
  return {
    meta: { status: response.status, headers: response.headers },
    source: passThroughBatchSource(response.body, map),
  };
}
