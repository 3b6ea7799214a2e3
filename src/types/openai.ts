/**
 * The parts of the OpenAI wire format the engine reads. Everything else passes through untouched,
 * so these types are deliberately open (`[key: string]: unknown`).
 */

/** Token usage as OpenAI reports it (`CompletionUsage`). */
export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details?: { cached_tokens?: number; [key: string]: unknown } | null;
  completion_tokens_details?: { reasoning_tokens?: number; [key: string]: unknown } | null;
  [key: string]: unknown;
}

/** A chat completion request body (`CreateChatCompletionRequest`), open to unknown fields. */
export interface ChatRequest {
  model: string;
  messages: unknown[];
  stream?: boolean | null;
  stream_options?: { include_usage?: boolean; [key: string]: unknown } | null;
  max_tokens?: number | null;
  max_completion_tokens?: number | null;
  [key: string]: unknown;
}

/** A non-streaming chat completion (`CreateChatCompletionResponse`). */
export interface ChatCompletionBody {
  id: string;
  object: "chat.completion";
  created: number;
  model: string;
  choices: Array<{ index: number; finish_reason: string | null; message: unknown; [key: string]: unknown }>;
  usage?: Usage | null;
  [key: string]: unknown;
}

/** One streamed chunk (`CreateChatCompletionStreamResponse`). */
export interface ChatCompletionChunkBody {
  id: string;
  object: "chat.completion.chunk";
  created: number;
  model: string;
  choices: Array<{ index: number; delta: unknown; finish_reason: string | null; [key: string]: unknown }>;
  usage?: Usage | null;
  [key: string]: unknown;
}

/** An embeddings request body (`CreateEmbeddingRequest`). */
export interface EmbeddingsRequest {
  model: string;
  input: string | string[] | number[] | number[][];
  encoding_format?: "float" | "base64";
  dimensions?: number;
  [key: string]: unknown;
}

/** An embeddings response body (`CreateEmbeddingResponse`). */
export interface EmbeddingsBody {
  object: "list";
  model: string;
  data: Array<{ object: "embedding"; index: number; embedding: number[] | string }>;
  usage?: { prompt_tokens: number; total_tokens: number };
  [key: string]: unknown;
}

/** The OpenAI error body (`ErrorResponse`). */
export interface OpenAIErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}
