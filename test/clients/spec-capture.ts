/**
 * A `fetch` for real clients that hands every response body to the client unchanged and, through a tap,
 * validates the raw HTTP body against the OpenAI spec: JSON bodies by endpoint (error bodies as
 * `ErrorResponse`), SSE bodies event by event (`CreateChatCompletionStreamResponse`, an in-band
 * `{"error":…}` event as `ErrorResponse`, nothing after `data: [DONE]`).
 */
import { validateOpenAI } from "../helpers/openai-spec.js";

/** One response seen by a client, as it came over the wire. */
export interface CapturedResponse {
  method: string;
  /** Path of the request URL, e.g. `/v1/chat/completions`. */
  path: string;
  /** The JSON request body sent by the client, or null. */
  requestBody: unknown;
  status: number;
  headers: Headers;
  kind: "json" | "sse";
  /** The parsed JSON body (`kind: "json"`). */
  body: unknown;
  /** The parsed `data:` payloads of an SSE body, `[DONE]` excluded. */
  events: Array<Record<string, unknown>>;
  /** Whether the SSE body ended with `data: [DONE]`. */
  done: boolean;
  /** Set when reading the body failed (e.g. the client aborted). */
  readError: string | null;
  /** Schema names validated, one per body or event. */
  validated: string[];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Decodes a base64 embedding (little-endian float32) the way the openai SDK does. */
export function decodeBase64Embedding(text: string): number[] {
  const bytes = Buffer.from(text, "base64");
  const values: number[] = [];
  for (let offset = 0; offset + 4 <= bytes.length; offset += 4) values.push(bytes.readFloatLE(offset));
  return values;
}

/** The spec schema of a successful JSON body at `path`. */
function schemaForPath(path: string): string {
  if (path.endsWith("/chat/completions")) return "CreateChatCompletionResponse";
  if (path.endsWith("/embeddings")) return "CreateEmbeddingResponse";
  if (path.endsWith("/models")) return "ListModelsResponse";
  if (path.includes("/models/")) return "Model";
  throw new Error(`No spec schema known for a 2xx JSON answer at ${path}`);
}

/**
 * The spec describes embeddings as float arrays only; a base64 answer (`encoding_format: "base64"`) is
 * checked to be a string of whole float32 values and validated in its decoded form.
 */
function embeddingsAsFloats(body: unknown): unknown {
  if (!isObject(body) || !Array.isArray(body["data"])) return body;
  const data = body["data"].map((item: unknown) => {
    if (!isObject(item) || typeof item["embedding"] !== "string") return item;
    const bytes = Buffer.from(item["embedding"], "base64");
    if (bytes.length % 4 !== 0 || bytes.length === 0) {
      throw new Error(`base64 embedding of ${bytes.length} bytes is not a float32 array`);
    }
    return { ...item, embedding: decodeBase64Embedding(item["embedding"]) };
  });
  return { ...body, data };
}

function validateJson(record: CapturedResponse): void {
  if (record.status >= 400) {
    validateOpenAI("ErrorResponse", record.body);
    record.validated.push("ErrorResponse");
    return;
  }
  const schema = schemaForPath(record.path);
  validateOpenAI(
    schema,
    schema === "CreateEmbeddingResponse" ? embeddingsAsFloats(record.body) : record.body,
  );
  record.validated.push(schema);
}

/** Splits a complete-or-truncated SSE text into the `data:` payloads of its complete events. */
export function sseData(text: string): string[] {
  const blocks = text.replace(/\r\n?/g, "\n").split("\n\n");
  blocks.pop(); // the part after the last blank line is empty or an incomplete event
  const payloads: string[] = [];
  for (const block of blocks) {
    const lines = block.split("\n").filter((line) => line.startsWith("data:"));
    if (lines.length === 0) continue;
    payloads.push(lines.map((line) => line.slice(line.startsWith("data: ") ? 6 : 5)).join("\n"));
  }
  return payloads;
}

/** Validates every event (so `[DONE]` and what follows it are seen); throws all problems at once. */
function validateSse(record: CapturedResponse, text: string): void {
  const problems: string[] = [];
  for (const payload of sseData(text)) {
    if (record.done) {
      problems.push(`SSE event after data: [DONE]: ${payload}`);
      continue;
    }
    if (payload === "[DONE]") {
      record.done = true;
      continue;
    }
    try {
      const event: unknown = JSON.parse(payload);
      if (!isObject(event)) throw new Error(`SSE data is not a JSON object: ${payload}`);
      record.events.push(event);
      const schema = "error" in event ? "ErrorResponse" : "CreateChatCompletionStreamResponse";
      validateOpenAI(schema, event);
      record.validated.push(schema);
    } catch (error) {
      problems.push(
        `event #${record.events.length}: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }
  if (problems.length > 0) throw new Error(problems.join("\n"));
}

function describe(reason: unknown): string {
  return reason instanceof Error ? `${reason.name}: ${reason.message}` : String(reason ?? "cancelled");
}

/**
 * A copy of `response` whose body is read eagerly by a tap that collects its text, while the caller
 * reads the same bytes. Unlike `response.clone()` (a tee, whose cancel waits for both branches), a
 * caller's cancel reaches the real body at once, so `break`/abort still closes the connection.
 */
function tapped(response: Response, record: CapturedResponse): { response: Response; text: Promise<string> } {
  const source = response.body;
  if (source === null) return { response, text: Promise.resolve("") };
  const reader = source.getReader();
  const decoder = new TextDecoder();
  let text = "";
  let finish: (text: string) => void = () => {};
  const ended = new Promise<string>((resolve) => (finish = resolve));
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      const pump = async (): Promise<void> => {
        try {
          for (;;) {
            const { done, value } = await reader.read();
            if (done) break;
            text += decoder.decode(value, { stream: true });
            try {
              controller.enqueue(value);
            } catch {
              // the caller cancelled: keep reading what is left for the record
            }
          }
          try {
            controller.close();
          } catch {
            // already cancelled
          }
        } catch (error) {
          record.readError ??= describe(error);
          try {
            controller.error(error);
          } catch {
            // already cancelled
          }
        }
        finish(text + decoder.decode());
      };
      void pump();
    },
    cancel(reason) {
      record.readError ??= `cancelled by the client (${describe(reason)})`;
      return reader.cancel(reason);
    },
  });
  const copy = new Response(body, {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
  return { response: copy, text: ended };
}

function requestBodyOf(init: RequestInit | undefined): unknown {
  const body = init?.body;
  if (typeof body !== "string") return null;
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return null;
  }
}

/** Captures and validates every response fetched through {@link SpecCapture.fetch}. */
export class SpecCapture {
  readonly records: CapturedResponse[] = [];
  readonly #pending: Array<Promise<void>> = [];
  readonly #failures: Error[] = [];

  /** Pass as the client's `fetch`. */
  readonly fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const response = await fetch(input, init);
    const url = new URL(input instanceof Request ? input.url : String(input));
    const contentType = response.headers.get("content-type") ?? "";
    const record: CapturedResponse = {
      method: init?.method ?? (input instanceof Request ? input.method : "GET"),
      path: url.pathname,
      requestBody: requestBodyOf(init),
      status: response.status,
      headers: response.headers,
      kind: contentType.includes("text/event-stream") ? "sse" : "json",
      body: null,
      events: [],
      done: false,
      readError: null,
      validated: [],
    };
    this.records.push(record);
    const tap = tapped(response, record);
    this.#pending.push(this.#inspect(tap.text, record));
    return tap.response;
  };

  async #inspect(body: Promise<string>, record: CapturedResponse): Promise<void> {
    const text = await body;
    try {
      if (record.kind === "sse") validateSse(record, text);
      else if (record.readError === null) {
        record.body = JSON.parse(text) as unknown;
        validateJson(record);
      }
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.#failures.push(new Error(`${record.method} ${record.path} → ${record.status}: ${message}`));
    }
  }

  /** Waits for every captured body to be read and validated; throws the validation failures. */
  async settle(): Promise<CapturedResponse[]> {
    while (this.#pending.length > 0) await Promise.all(this.#pending.splice(0));
    if (this.#failures.length > 0) {
      const failures = this.#failures.splice(0);
      throw new Error(
        `${failures.length} response(s) did not match the OpenAI spec:\n${failures.map((f) => f.message).join("\n")}`,
      );
    }
    return this.records;
  }

  /** Settles, then forgets the records (for afterEach). */
  async verifyAndClear(): Promise<void> {
    try {
      await this.settle();
    } finally {
      this.records.length = 0;
    }
  }
}
