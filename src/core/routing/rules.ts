import type { ChatRequest } from "../../types/index.js";
import type { IntentLabel, IntentResult } from "../intent/index.js";

/** Request header values by lower-cased name (Node's `IncomingHttpHeaders` fits). */
export type RuleHeaders = Readonly<Record<string, string | readonly string[] | undefined>>;

/**
 * What a route rule asks of a request; every condition given must hold (an absent one always does).
 * Lists mean "any of".
 */
export interface RouteMatch {
  /** The model the caller asked for (a group name, an alias, or a virtual name such as `auto`). */
  model?: readonly string[];
  /** The classifier's label. */
  intent?: readonly IntentLabel[];
  /** The classifier's confidence is at least this (needs no `intent`: any label). */
  minConfidence?: number;
  /** Estimated prompt tokens (characters / 4 of the body), inclusive bounds. */
  minPromptTokens?: number;
  maxPromptTokens?: number;
  /** Images anywhere in the conversation (true) or none (false). */
  hasImages?: boolean;
  /** The request declares tools (true) or not (false). */
  hasTools?: boolean;
  /** `response_format.type` (`text`, `json_object`, `json_schema`); `none` when the request has none. */
  responseFormat?: readonly string[];
  /** Request headers (lower-cased names): the exact value, or `*` for "present". */
  headers?: Readonly<Record<string, string>>;
  /** The gateway key's name (virtual keys), when the server knows it. */
  keyName?: readonly string[];
  /** The body's `metadata` fields: the exact value, or `*` for "present". */
  metadata?: Readonly<Record<string, string>>;
}

/** One rule of the ordered `routes:` list: first match wins. */
export interface RouteRule {
  /** Its name for `x-llmux-route-rule` and logs (`name:` in the file, else `routes[i]`). */
  name: string;
  match: RouteMatch;
  /** The model group a matching request goes to. */
  group: string;
}

/**
 * What the rules look at, computed once and only when a rule needs it (the classifier runs only when
 * a rule reaches an intent condition, the token estimate only for a token condition).
 */
export class RequestFacts {
  #intent: IntentResult | null = null;
  #tokens = -1;
  #images: boolean | null = null;

  constructor(
    readonly request: ChatRequest,
    readonly headers: RuleHeaders,
    readonly keyName: string | null,
    private readonly classify: (request: ChatRequest) => IntentResult,
    /** The body's text as it arrived, when known (a cheaper token estimate). */
    private readonly bodyText?: string,
  ) {}

  /** The classifier's answer (computed on first use). */
  get intent(): IntentResult {
    return (this.#intent ??= this.classify(this.request));
  }

  /** True once the classifier ran. */
  get classified(): boolean {
    return this.#intent !== null;
  }

  /** Estimated prompt tokens: characters / 4 of the messages (or of the whole body text). */
  get promptTokens(): number {
    if (this.#tokens < 0) {
      const text = this.bodyText ?? JSON.stringify(this.request.messages ?? []);
      this.#tokens = Math.ceil(text.length / 4);
    }
    return this.#tokens;
  }

  get hasImages(): boolean {
    if (this.#images === null)
      this.#images = this.#intent ? this.#intent.signals.images > 0 : hasImage(this.request);
    return this.#images;
  }

  get hasTools(): boolean {
    const tools = this.request.tools;
    return Array.isArray(tools) && tools.length > 0;
  }

  get responseFormat(): string {
    const format = this.request.response_format as { type?: unknown } | undefined | null;
    return typeof format?.type === "string" ? format.type : "none";
  }
}

function hasImage(request: ChatRequest): boolean {
  for (const message of request.messages ?? []) {
    const content = (message as { content?: unknown }).content;
    if (!Array.isArray(content)) continue;
    for (const part of content as { type?: unknown }[]) {
      if (part?.type === "image_url" || part?.type === "input_image" || part?.type === "image") return true;
    }
  }
  return false;
}

function headerValue(headers: RuleHeaders, name: string): string | null {
  const value = headers[name];
  if (value === undefined) return null;
  return typeof value === "string" ? value : (value[0] ?? null);
}

function fieldsMatch(
  wanted: Readonly<Record<string, string>>,
  read: (name: string) => string | null,
): boolean {
  for (const [name, expected] of Object.entries(wanted)) {
    const actual = read(name);
    if (actual === null || (expected !== "*" && actual !== expected)) return false;
  }
  return true;
}

function metadataValue(request: ChatRequest, name: string): string | null {
  const metadata = (request as { metadata?: unknown }).metadata;
  if (typeof metadata !== "object" || metadata === null) return null;
  const value = (metadata as Record<string, unknown>)[name];
  return value === undefined || value === null ? null : String(value);
}

/** Whether a request satisfies one rule's conditions; the cheap ones are checked first. */
export function ruleMatches(match: RouteMatch, facts: RequestFacts): boolean {
  if (match.model && !match.model.includes(facts.request.model)) return false;
  if (match.keyName && (facts.keyName === null || !match.keyName.includes(facts.keyName))) return false;
  if (match.headers && !fieldsMatch(match.headers, (name) => headerValue(facts.headers, name))) return false;
  if (match.metadata && !fieldsMatch(match.metadata, (name) => metadataValue(facts.request, name)))
    return false;
  if (match.hasTools !== undefined && facts.hasTools !== match.hasTools) return false;
  if (match.responseFormat && !match.responseFormat.includes(facts.responseFormat)) return false;
  if (match.hasImages !== undefined && facts.hasImages !== match.hasImages) return false;
  if (match.minPromptTokens !== undefined && facts.promptTokens < match.minPromptTokens) return false;
  if (match.maxPromptTokens !== undefined && facts.promptTokens > match.maxPromptTokens) return false;
  if (match.intent && !match.intent.includes(facts.intent.label)) return false;
  if (match.minConfidence !== undefined && facts.intent.confidence < match.minConfidence) return false;
  return true;
}

/** The first rule the request satisfies, or null (the request then uses its own model's group). */
export function firstMatchingRule(rules: readonly RouteRule[], facts: RequestFacts): RouteRule | null {
  for (const rule of rules) if (ruleMatches(rule.match, facts)) return rule;
  return null;
}

/** Whether any rule looks at the intent (then the classifier may run per request). */
export function rulesUseIntent(rules: readonly RouteRule[]): boolean {
  return rules.some((rule) => rule.match.intent !== undefined || rule.match.minConfidence !== undefined);
}
