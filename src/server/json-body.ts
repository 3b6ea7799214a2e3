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

/**
 * The JSON text each parsed request body came from, so a route can hand it to the engine (an
 * OpenAI-compatible upstream gets the caller's bytes with only `model` spliced in).
 */
const texts = new WeakMap<object, string>();

/** The text `body` was parsed from, when it was parsed by `parseJsonBody`. */
export function bodyText(body: unknown): string | undefined {
  return typeof body === "object" && body !== null ? texts.get(body) : undefined;
}

/**
 * Parses a request body as JSON: an empty body, malformed JSON and nesting deeper than `maxDepth`
 * are 400s. The depth bound keeps the gateway from accepting what it cannot re-serialise for the
 * upstream (`JSON.stringify` recurses and throws `RangeError` a few thousand levels down).
 */
export function parseJsonBody(body: Buffer, maxDepth: number): unknown {
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
  if (typeof value === "object" && value !== null) texts.set(value, text);
  return value;
}
