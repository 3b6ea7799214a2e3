import { isRecord } from "../../../util/index.js";
import { field } from "./read.js";

/** The input items of a request: a string input is one user message item. */
function inputItems(body: unknown): unknown[] {
  const input = field(body, "input");
  if (typeof input === "string") return [{ type: "message", role: "user", content: input }];
  return Array.isArray(input) ? [...input] : [];
}

/**
 * The conversation to keep under a response's id, for a later request that names it in
 * `previous_response_id`: the history this request continued, its input items, then the
 * response's output items. Instructions are not part of it (the API does not carry them over).
 * Pass it back as `history` to {@link fromResponsesRequest}. Pure.
 */
export function responsesHistory(history: readonly unknown[], body: unknown, response: unknown): unknown[] {
  const output = field(response, "output");
  return [...history, ...inputItems(body), ...(Array.isArray(output) ? output.filter(isRecord) : [])];
}
