import type { FastifyInstance, FastifyRequest } from "fastify";

/** What a route learned about a request, for the one log line and the metrics. */
export interface RequestNote {
  requestId: string;
  model: string | null;
  deployment: string | null;
  attempts: number;
  stream: boolean;
  upstreamMs: number;
  overheadMs: number | null;
  errorCode: string | null;
  /** What the request cost (USD), when its deployment has a price and usage came back. */
  costUsd: number | null;
  /** A mid-stream recovery (`prefill`, `spliced`, `failed`) and a hedge (`won`, `lost`), when there was one. */
  recovery: string | null;
  hedge: string | null;
}

declare module "fastify" {
  interface FastifyRequest {
    /** The request's note, once a route made one (see `noteOf`); a request decoration. */
    llmuxNote: RequestNote | null;
  }
}

/**
 * Gives every request of `app` its note slot (`decorateRequest`: a field of Fastify's request
 * objects from their construction, cheaper than a side table keyed by request).
 */
export function decorateRequestNotes(app: FastifyInstance): void {
  app.decorateRequest("llmuxNote", null);
}

/** The note of a request (created on first use). */
export function noteOf(request: FastifyRequest): RequestNote {
  let note = request.llmuxNote;
  if (!note) {
    note = {
      requestId: request.id,
      model: null,
      deployment: null,
      attempts: 0,
      stream: false,
      upstreamMs: 0,
      overheadMs: null,
      errorCode: null,
      costUsd: null,
      recovery: null,
      hedge: null,
    };
    request.llmuxNote = note;
  }
  return note;
}

/** The note, if a route made one. */
export function existingNote(request: FastifyRequest): RequestNote | undefined {
  return request.llmuxNote ?? undefined;
}
