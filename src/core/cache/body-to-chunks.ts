import type { ChatCompletionBody, ChatCompletionChunkBody } from "../../types/index.js";

type Record_ = Record<string, unknown>;

function isRecord(value: unknown): value is Record_ {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Fields of the completion every chunk repeats. */
interface Envelope {
  id: string;
  object: "chat.completion.chunk";
  created: number;
  model: string;
  [key: string]: unknown;
}

function envelope(body: ChatCompletionBody): Envelope {
  const chunk: Envelope = {
    id: body.id,
    object: "chat.completion.chunk",
    created: body.created,
    model: body.model,
  };
  for (const field of ["system_fingerprint", "service_tier"] as const) {
    if (typeof body[field] === "string") chunk[field] = body[field];
  }
  return chunk;
}

/** The deltas of one choice, in the order OpenAI streams them: role, content, refusal, tool calls. */
function choiceDeltas(message: Record_, logprobs: unknown): Array<{ delta: Record_; logprobs: unknown }> {
  const content = message["content"];
  const deltas: Array<{ delta: Record_; logprobs: unknown }> = [
    { delta: { role: "assistant", content: typeof content === "string" ? "" : null }, logprobs: null },
  ];
  const lp = isRecord(logprobs) ? logprobs : null;
  if (typeof content === "string" && content !== "") {
    deltas.push({
      delta: { content },
      logprobs: lp ? { content: lp["content"] ?? null, refusal: null } : null,
    });
  }
  if (typeof message["refusal"] === "string") {
    deltas.push({
      delta: { refusal: message["refusal"] },
      logprobs: lp ? { content: null, refusal: lp["refusal"] ?? null } : null,
    });
  }
  const toolCalls = message["tool_calls"];
  if (Array.isArray(toolCalls) && toolCalls.length > 0) {
    const calls = toolCalls.filter(isRecord).map((call, index) => ({ index, ...call }));
    deltas.push({ delta: { tool_calls: calls }, logprobs: null });
  }
  if (isRecord(message["function_call"])) {
    deltas.push({ delta: { function_call: message["function_call"] }, logprobs: null });
  }
  return deltas;
}

/**
 * The chunks of a stream carrying the same answer as a `chat.completion` body: per choice a role chunk,
 * its content (with logprobs), refusal and tool calls, and a finish chunk; then, when `includeUsage`
 * and the body has usage, the `include_usage` chunk (`choices: []`). Pure.
 */
export function bodyToChunks(body: ChatCompletionBody, includeUsage: boolean): ChatCompletionChunkBody[] {
  const base = envelope(body);
  const chunks: ChatCompletionChunkBody[] = [];
  const choices = [...body.choices].sort((a, b) => a.index - b.index);
  for (const choice of choices) {
    const message = isRecord(choice.message) ? choice.message : {};
    for (const { delta, logprobs } of choiceDeltas(message, choice["logprobs"])) {
      chunks.push({ ...base, choices: [{ index: choice.index, delta, logprobs, finish_reason: null }] });
    }
    chunks.push({
      ...base,
      choices: [{ index: choice.index, delta: {}, logprobs: null, finish_reason: choice.finish_reason }],
    });
  }
  if (includeUsage && body.usage) chunks.push({ ...base, choices: [], usage: body.usage });
  return chunks;
}
