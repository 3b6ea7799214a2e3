import type { ChatCompletionBody, ChatCompletionChunkBody, Usage } from "../../types/index.js";

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

interface ToolCallDraft {
  id?: string;
  type: string;
  name: string;
  arguments: string;
}

/** What the chunks of one choice add up to. */
interface ChoiceDraft {
  role: string;
  content: string | null;
  refusal: string | null;
  toolCalls: Map<number, ToolCallDraft>;
  functionCall: { name: string; arguments: string } | null;
  logContent: unknown[] | null;
  logRefusal: unknown[] | null;
  finishReason: string | null;
}

function draft(): ChoiceDraft {
  return {
    role: "assistant",
    content: null,
    refusal: null,
    toolCalls: new Map(),
    functionCall: null,
    logContent: null,
    logRefusal: null,
    finishReason: null,
  };
}

function addToolCalls(target: ChoiceDraft, calls: unknown): void {
  if (!Array.isArray(calls)) return;
  calls.forEach((call: unknown, position) => {
    if (!isRecord(call)) return;
    const index = typeof call["index"] === "number" ? call["index"] : position;
    const known = target.toolCalls.get(index) ?? { type: "function", name: "", arguments: "" };
    if (typeof call["id"] === "string") known.id = call["id"];
    if (typeof call["type"] === "string") known.type = call["type"];
    const fn = isRecord(call["function"]) ? call["function"] : {};
    // The name comes whole (in the first delta of the call); arguments come in pieces.
    if (typeof fn["name"] === "string" && fn["name"] !== "") known.name = fn["name"];
    if (typeof fn["arguments"] === "string") known.arguments += fn["arguments"];
    target.toolCalls.set(index, known);
  });
}

function addDelta(target: ChoiceDraft, delta: Record<string, unknown>, logprobs: unknown): void {
  if (typeof delta["role"] === "string") target.role = delta["role"];
  if (typeof delta["content"] === "string") target.content = (target.content ?? "") + delta["content"];
  if (typeof delta["refusal"] === "string") target.refusal = (target.refusal ?? "") + delta["refusal"];
  addToolCalls(target, delta["tool_calls"]);
  const fn = delta["function_call"];
  if (isRecord(fn)) {
    target.functionCall ??= { name: "", arguments: "" };
    if (typeof fn["name"] === "string") target.functionCall.name += fn["name"];
    if (typeof fn["arguments"] === "string") target.functionCall.arguments += fn["arguments"];
  }
  if (isRecord(logprobs)) {
    if (Array.isArray(logprobs["content"]))
      target.logContent = [...(target.logContent ?? []), ...logprobs["content"]];
    if (Array.isArray(logprobs["refusal"]))
      target.logRefusal = [...(target.logRefusal ?? []), ...logprobs["refusal"]];
  }
}

function message(choice: ChoiceDraft): Record<string, unknown> {
  const out: Record<string, unknown> = {
    role: choice.role,
    content: choice.content,
    refusal: choice.refusal,
  };
  if (choice.toolCalls.size > 0) {
    out["tool_calls"] = [...choice.toolCalls.entries()]
      .sort(([a], [b]) => a - b)
      .map(([, call]) => ({
        ...(call.id === undefined ? {} : { id: call.id }),
        type: call.type,
        function: { name: call.name, arguments: call.arguments },
      }));
  }
  if (choice.functionCall) out["function_call"] = choice.functionCall;
  return out;
}

/**
 * The `chat.completion` body a stream's chunks add up to (what the OpenAI SDK's stream accumulator
 * builds): per choice the role, concatenated content and refusal, tool calls merged by index (id and
 * name as sent, arguments concatenated), logprobs joined, the last finish reason; the envelope of the first chunk and
 * the last usage seen. Pure.
 */
export function chunksToBody(chunks: readonly ChatCompletionChunkBody[]): ChatCompletionBody {
  const first = chunks[0];
  const choices = new Map<number, ChoiceDraft>();
  let usage: Usage | null = null;
  for (const chunk of chunks) {
    if (chunk.usage) usage = chunk.usage;
    for (const choice of chunk.choices) {
      const index = typeof choice.index === "number" ? choice.index : 0;
      const target = choices.get(index) ?? draft();
      choices.set(index, target);
      if (isRecord(choice.delta)) addDelta(target, choice.delta, choice["logprobs"]);
      if (typeof choice.finish_reason === "string") target.finishReason = choice.finish_reason;
    }
  }
  const body: ChatCompletionBody = {
    id: first?.id ?? "",
    object: "chat.completion",
    created: first?.created ?? 0,
    model: first?.model ?? "",
    choices: [...choices.entries()]
      .sort(([a], [b]) => a - b)
      .map(([index, choice]) => ({
        index,
        message: message(choice),
        logprobs:
          choice.logContent || choice.logRefusal
            ? { content: choice.logContent, refusal: choice.logRefusal }
            : null,
        finish_reason: choice.finishReason,
      })),
  };
  for (const field of ["system_fingerprint", "service_tier"] as const) {
    if (typeof first?.[field] === "string") body[field] = first[field];
  }
  if (usage) body.usage = usage;
  return body;
}
