/**
 * OpenAI chat completions and stream chunks as OpenAI-compatible upstreams send them (shapes of
 * captured gpt-4.1 / DeepSeek / Gemini-compat answers: `service_tier`, `system_fingerprint`,
 * `usage: null` on content chunks, `obfuscation`, the `choices: []` usage chunk). Shared by the
 * Anthropic-inbound and Responses tests; chat-fixtures.test.ts checks them against the OpenAI spec.
 */
import type { ChatCompletionBody, ChatCompletionChunkBody, Usage } from "../../src/types/index.js";

const header = {
  id: "chatcmpl-C8mXq2RkV9fJ3nLwA7tYbP0sDe4Gh",
  object: "chat.completion.chunk" as const,
  created: 1_757_000_000,
  model: "gpt-4.1-2025-04-14",
  service_tier: "default",
  system_fingerprint: "fp_3f58d112f7",
};

/** One streamed chunk of choice 0. */
export function chunk(
  delta: Record<string, unknown>,
  finishReason: string | null = null,
): ChatCompletionChunkBody {
  return {
    ...header,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
    usage: null,
    obfuscation: "k3Jd9",
  };
}

/** The final usage chunk (`stream_options.include_usage`). */
export function usageChunk(usage: Usage): ChatCompletionChunkBody {
  return { ...header, choices: [], usage, obfuscation: "Qz1" };
}

/** A usage object as OpenAI reports it, every detail present. */
export function usage(prompt: number, completion: number, cached = 0, reasoning = 0): Usage {
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    prompt_tokens_details: { cached_tokens: cached, audio_tokens: 0 },
    completion_tokens_details: {
      reasoning_tokens: reasoning,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  };
}

const role = { role: "assistant", content: "", refusal: null };

/** A plain text answer in three fragments, then the usage chunk. */
export const textStream: ChatCompletionChunkBody[] = [
  chunk(role),
  chunk({ content: "The tests" }),
  chunk({ content: " pass now" }),
  chunk({ content: "." }),
  chunk({}, "stop"),
  usageChunk(usage(2_140, 9, 1_920)),
];

function callStart(index: number, id: string, name: string): Record<string, unknown> {
  return { tool_calls: [{ index, id, type: "function", function: { name, arguments: "" } }] };
}

function args(index: number, fragment: string): Record<string, unknown> {
  return { tool_calls: [{ index, function: { arguments: fragment } }] };
}

/** A short text, then one tool call whose arguments arrive in fragments. */
export const textThenToolStream: ChatCompletionChunkBody[] = [
  chunk(role),
  chunk({ content: "Let me read the file." }),
  chunk(callStart(0, "call_Rk2mV8qLx3", "Read")),
  chunk(args(0, '{"file_')),
  chunk(args(0, 'path":"/repo/src/index.ts"')),
  chunk(args(0, "}")),
  chunk({}, "tool_calls"),
  usageChunk(usage(5_210, 31, 4_096)),
];

/** Two parallel tool calls the way OpenAI streams them: the first complete, then the second. */
export const parallelToolStream: ChatCompletionChunkBody[] = [
  chunk({ role: "assistant", content: null, refusal: null }),
  chunk(callStart(0, "call_A1bsT9wQe", "Bash")),
  chunk(args(0, '{"command":"npm test",')),
  chunk(args(0, '"description":"Run the tests"}')),
  chunk(callStart(1, "call_B2ctU0xRf", "Read")),
  chunk(args(1, '{"file_path":"/repo/package.json"}')),
  chunk({}, "tool_calls"),
  usageChunk(usage(6_020, 58)),
];

/** Two tool calls whose fragments interleave (index 0, 1, 0, 1), as some vendors stream them. */
export const interleavedToolStream: ChatCompletionChunkBody[] = [
  chunk({ role: "assistant", content: null }),
  chunk(callStart(0, "call_X0", "Read")),
  chunk(args(0, '{"file_path":')),
  chunk(callStart(1, "call_X1", "Read")),
  chunk(args(1, '{"file_path":')),
  chunk(args(0, '"/a.ts"}')),
  chunk(args(1, '"/b.ts"}')),
  chunk({}, "tool_calls"),
  usageChunk(usage(900, 40)),
];

/** Gemini's OpenAI-compatible surface: both calls whole in one delta, no usage chunk. */
export const wholeCallsStream: ChatCompletionChunkBody[] = [
  chunk({
    role: "assistant",
    tool_calls: [
      {
        index: 0,
        id: "call_g0",
        type: "function",
        function: { name: "Read", arguments: '{"file_path":"/a.ts"}' },
      },
      {
        index: 1,
        id: "call_g1",
        type: "function",
        function: { name: "Read", arguments: '{"file_path":"/b.ts"}' },
      },
    ],
  }),
  chunk({}, "tool_calls"),
];

/** DeepSeek-style reasoning (`reasoning_content`) before the answer. */
export const reasoningStream: ChatCompletionChunkBody[] = [
  chunk({ role: "assistant", content: null, reasoning_content: "" }),
  chunk({ content: null, reasoning_content: "The user wants" }),
  chunk({ content: null, reasoning_content: " a haiku." }),
  chunk({ content: "Autumn moonlight—", reasoning_content: null }),
  chunk({ content: "\na worm digs silently" }),
  chunk({}, "stop"),
  usageChunk(usage(30, 42, 0, 12)),
];

/** Cut by max tokens; no usage chunk (the caller did not ask or the vendor never sends it). */
export const lengthStream: ChatCompletionChunkBody[] = [
  chunk(role),
  chunk({ content: "Once upon a" }),
  chunk({}, "length"),
];

/** A role chunk and the finish, nothing else: an empty answer. */
export const emptyStream: ChatCompletionChunkBody[] = [
  chunk(role),
  chunk({}, "stop"),
  usageChunk(usage(12, 1)),
];

const completionHeader = {
  id: "chatcmpl-C8mZa1QwE7rT5yU3iO9pL2kJh",
  object: "chat.completion" as const,
  created: 1_757_000_100,
  model: "gpt-4.1-2025-04-14",
  service_tier: "default",
  system_fingerprint: "fp_3f58d112f7",
};

function completion(message: Record<string, unknown>, finishReason: string, used: Usage): ChatCompletionBody {
  return {
    ...completionHeader,
    choices: [
      {
        index: 0,
        message: { role: "assistant", refusal: null, annotations: [], ...message },
        logprobs: null,
        finish_reason: finishReason,
      },
    ],
    usage: used,
  };
}

/** A text answer. */
export const textCompletion = completion({ content: "The tests pass now." }, "stop", usage(2_140, 9, 1_920));

/** Text and two tool calls. */
export const toolCompletion = completion(
  {
    content: "Running the tests and reading the manifest.",
    tool_calls: [
      {
        id: "call_A1bsT9wQe",
        type: "function",
        function: { name: "Bash", arguments: '{"command":"npm test","description":"Run the tests"}' },
      },
      {
        id: "call_B2ctU0xRf",
        type: "function",
        function: { name: "Read", arguments: '{"file_path":"/repo/package.json"}' },
      },
    ],
  },
  "tool_calls",
  usage(6_020, 58),
);

/** Reasoning beside the answer (DeepSeek, vLLM, Qwen: `reasoning_content`). */
export const reasoningCompletion = completion(
  { content: "Autumn moonlight—\na worm digs silently", reasoning_content: "The user wants a haiku." },
  "stop",
  usage(30, 42, 0, 12),
);

/** Cut by max tokens. */
export const lengthCompletion = completion({ content: "Once upon a" }, "length", usage(20, 3));

/** A tool call whose arguments are not JSON (a truncated or confused model). */
export const brokenArgumentsCompletion = completion(
  {
    content: null,
    tool_calls: [
      { id: "call_bad", type: "function", function: { name: "Bash", arguments: '{"command": "ls' } },
    ],
  },
  "tool_calls",
  usage(100, 7),
);
