import type { FastifyInstance, FastifyRequest } from "fastify";
import { GatewayHttpError } from "./http-error.js";

/**
 * Whether `value` nests arrays and objects deeper than `limit` levels (`[]` and `{}` are one level,
 * `[[1]]` two). Walks with an explicit stack: a 100,000-deep body cannot overflow the call stack.
 */
export function nestsDeeperThan(value: unknown, limit: number): boolean {
  if (typeof value !== "object" || value === null) return false;
  if (limit < 1) return true;
  const nodes: object[] = [value];
  const depths: number[] = [1];
  for (let node = nodes.pop(); node !== undefined; node = nodes.pop()) {
    const childDepth = (depths.pop() ?? 0) + 1;
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i++) {
        const child: unknown = node[i];
        if (typeof child !== "object" || child === null) continue;
        if (childDepth > limit) return true;
        nodes.push(child);
        depths.push(childDepth);
      }
      continue;
    }
    const record = node as Record<string, unknown>;
    for (const key in record) {
      const child = record[key];
      if (typeof child !== "object" || child === null) continue;
      if (childDepth > limit) return true;
      nodes.push(child);
      depths.push(childDepth);
    }
  }
  return false;
}

declare module "fastify" {
  interface FastifyRequest {
    /**
     * The JSON text the request's body (an object or array) was parsed from, so a route can hand it
     * to the engine (an OpenAI-compatible upstream gets the caller's bytes with only `model`
     * spliced in); null otherwise. A request decoration.
     */
    llmuxBodyText: string | null;
  }
}

/** Gives every request of `app` its body-text slot (see `bodyText`). */
export function decorateBodyText(app: FastifyInstance): void {
  app.decorateRequest("llmuxBodyText", null);
}

/** The text the request's body was parsed from, when `parseJsonBody` parsed it into an object or array. */
export function bodyText(request: FastifyRequest): string | undefined {
  return request.llmuxBodyText ?? undefined;
}

/**
 * Parses a request body as JSON: an empty body, malformed JSON and nesting deeper than `maxDepth`
 * are 400s. The depth bound keeps the gateway from accepting what it cannot re-serialise for the
 * upstream (`JSON.stringify` recurses and throws `RangeError` a few thousand levels down). With
 * `request`, an object's or array's text is kept on it for `bodyText`.
 */
export function parseJsonBody(
  body: Buffer,
  maxDepth: number,
  request?: { llmuxBodyText: string | null },
): unknown {
  const text = body.toString("utf8");
  if (text.trim() === "") {
    throw Object.assign(new Error("empty body"), { code: "FST_ERR_CTP_EMPTY_JSON_BODY", statusCode: 400 });
  }
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch (error) {
    throw Object.assign(error as Error, { code: "FST_ERR_CTP_INVALID_JSON_BODY", statusCode: 400 });
  }
  if (nestsDeeperThan(value, maxDepth)) {
    throw new GatewayHttpError(
      400,
      `The request body has JSON nesting deeper than ${maxDepth} levels, the gateway's limit (server.max_json_depth).`,
      { code: "json_too_deep" },
    );
  }
  if (request !== undefined && typeof value === "object" && value !== null) request.llmuxBodyText = text;
  return value;
}
