import { authorize } from "./auth.js";
import type { SimContext } from "./context.js";
import { sendJson, type Exchange } from "./exchange.js";
import { errorBody } from "./openai-errors.js";

/** Models listed when the simulator is started without `models`. */
export const DEFAULT_MODELS: readonly string[] = ["gpt-4o-mini", "gpt-4o", "text-embedding-3-small"];

/** Fixed `created` of every listed model (2023-11-14), so the list is deterministic. */
const CREATED = 1_700_000_000;

function modelObject(id: string): { id: string; object: "model"; created: number; owned_by: string } {
  return { id, object: "model", created: CREATED, owned_by: "llmux-sim" };
}

/** Pre-serialised `GET /v1/models` body: `{object:"list", data:[{id, object:"model", created, owned_by:"llmux-sim"}]}`. */
export function modelsListBody(ids: readonly string[]): string {
  return JSON.stringify({ object: "list", data: ids.map(modelObject) });
}

/** `GET /v1/models` (pre-serialised `listBody`) and `GET /v1/models/<id>` (404 `model_not_found` if unlisted). */
export function handleModels(
  context: SimContext,
  exchange: Exchange,
  listBody: string,
  ids: readonly string[],
): void {
  if (!authorize(context, exchange)) return;
  const path = exchange.record.path;
  if (path === "/v1/models") {
    sendJson(exchange, 200, listBody);
    return;
  }
  const id = decodeURIComponent(path.slice("/v1/models/".length));
  if (ids.includes(id)) {
    sendJson(exchange, 200, JSON.stringify(modelObject(id)));
    return;
  }
  const message = `The model '${id}' does not exist`;
  sendJson(exchange, 404, errorBody(message, "invalid_request_error", "model_not_found", "model"));
}
