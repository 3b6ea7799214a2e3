import { InvalidRequestError } from "../../errors/index.js";

/**
 * The path of a Gemini call for `model`: `/v1beta/models/{model}:generateContent`, or
 * `/v1beta/models/{model}:streamGenerateContent?alt=sse` when streaming (without `alt=sse` Gemini
 * streams one progressively written JSON array instead of SSE). The model name is URL-encoded; a
 * leading `models/` (as `GET /v1beta/models` lists them) is accepted, and a `tunedModels/{id}` name
 * goes to `/v1beta/tunedModels/{id}`. An empty name throws `InvalidRequestError`.
 */
export function geminiPath(model: string, stream: boolean): string {
  const tuned = model.startsWith("tunedModels/");
  const name = tuned ? model.slice("tunedModels/".length) : model.replace(/^models\//, "");
  if (name === "") throw new InvalidRequestError("A Gemini model name is required.", { param: "model" });
  const collection = tuned ? "tunedModels" : "models";
  const method = stream ? "streamGenerateContent?alt=sse" : "generateContent";
  return `/v1beta/${collection}/${encodeURIComponent(name)}:${method}`;
}
