/** One model to list. */
export interface ListedModel {
  id: string;
  /** A human name; defaults to the id. */
  displayName?: string;
  /** Unix seconds (OpenAI's `created`); unknown → the epoch, as Anthropic documents. */
  created?: number;
}

/** An Anthropic `ModelInfo`. */
export interface AnthropicModelInfo {
  type: "model";
  id: string;
  display_name: string;
  created_at: string;
  capabilities: null;
  max_input_tokens: null;
  max_tokens: null;
}

/** Anthropic's model list page. */
export interface AnthropicModelList {
  data: AnthropicModelInfo[];
  has_more: boolean;
  first_id: string | null;
  last_id: string | null;
}

/** Anthropic's list query: `limit`, `after_id`, `before_id`. */
export interface ModelPage {
  limit?: number;
  afterId?: string;
  beforeId?: string;
}

function info(model: ListedModel): AnthropicModelInfo {
  const seconds = model.created !== undefined && Number.isFinite(model.created) ? model.created : 0;
  return {
    type: "model",
    id: model.id,
    display_name: model.displayName ?? model.id,
    created_at: new Date(seconds * 1000).toISOString().replace(/\.000Z$/, "Z"),
    capabilities: null,
    max_input_tokens: null,
    max_tokens: null,
  };
}

function window(models: readonly ListedModel[], page: ModelPage): { slice: ListedModel[]; more: boolean } {
  const limit = page.limit !== undefined && page.limit > 0 ? Math.floor(page.limit) : Infinity;
  if (page.beforeId !== undefined) {
    const end = models.findIndex((model) => model.id === page.beforeId);
    const stop = end < 0 ? models.length : end;
    const from = Math.max(0, stop - limit);
    return { slice: models.slice(from, stop), more: from > 0 };
  }
  const after = page.afterId === undefined ? -1 : models.findIndex((model) => model.id === page.afterId);
  const from = after + 1;
  const stop = Math.min(models.length, from + limit);
  return { slice: models.slice(from, stop), more: stop < models.length };
}

/**
 * The Anthropic-shaped `GET /v1/models` answer (for callers that send `anthropic-version`):
 * `{data: [{type: "model", id, display_name, created_at (RFC 3339), …}], has_more, first_id,
 * last_id}`, in the given order. `page` follows Anthropic's `limit` / `after_id` / `before_id`;
 * without a limit every model is listed (Anthropic's default page is 20, but a gateway list is
 * short and not every client pages). An unknown `after_id` starts at the beginning.
 */
export function toAnthropicModelList(
  models: readonly ListedModel[],
  page: ModelPage = {},
): AnthropicModelList {
  const { slice, more } = window(models, page);
  const data = slice.map(info);
  return { data, has_more: more, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null };
}
