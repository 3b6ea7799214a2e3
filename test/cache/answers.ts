import type { ChatCompletionBody } from "../../src/types/index.js";

/** A plain answer as OpenAI returns it. */
export const textBody: ChatCompletionBody = {
  id: "chatcmpl-abc",
  object: "chat.completion",
  created: 1_741_570_283,
  model: "gpt-4.1-2025-04-14",
  choices: [
    {
      index: 0,
      message: { role: "assistant", content: "Hello there, how can I help?", refusal: null, annotations: [] },
      logprobs: null,
      finish_reason: "stop",
    },
  ],
  usage: { prompt_tokens: 12, completion_tokens: 8, total_tokens: 20 },
  service_tier: "default",
  system_fingerprint: "fp_1",
};

/** Two parallel tool calls. */
export const toolBody: ChatCompletionBody = {
  id: "chatcmpl-tools",
  object: "chat.completion",
  created: 1_741_570_300,
  model: "gpt-4.1",
  choices: [
    {
      index: 0,
      message: {
        role: "assistant",
        content: null,
        refusal: null,
        tool_calls: [
          {
            id: "call_1",
            type: "function",
            function: { name: "get_weather", arguments: '{"city":"Paris"}' },
          },
          { id: "call_2", type: "function", function: { name: "get_time", arguments: '{"tz":"CET"}' } },
        ],
      },
      logprobs: null,
      finish_reason: "tool_calls",
    },
  ],
  usage: { prompt_tokens: 40, completion_tokens: 30, total_tokens: 70 },
};

/** n = 2 with logprobs. */
export const twoChoicesBody: ChatCompletionBody = {
  id: "chatcmpl-two",
  object: "chat.completion",
  created: 1_741_570_400,
  model: "gpt-4.1",
  choices: [
    {
      index: 1,
      message: { role: "assistant", content: "B", refusal: null },
      logprobs: { content: [{ token: "B", logprob: -0.2, bytes: [66], top_logprobs: [] }], refusal: null },
      finish_reason: "stop",
    },
    {
      index: 0,
      message: { role: "assistant", content: "A", refusal: null },
      logprobs: { content: [{ token: "A", logprob: -0.1, bytes: [65], top_logprobs: [] }], refusal: null },
      finish_reason: "length",
    },
  ],
};

const envelope =
  '"id":"chatcmpl-s1","object":"chat.completion.chunk","created":1741570500,"model":"gpt-4.1","system_fingerprint":"fp_2"';

/** A stream as OpenAI sends it once `include_usage` is on: `"usage":null` on every chunk, then the usage chunk. */
export const streamChunks: string[] = [
  `{${envelope},"choices":[{"index":0,"delta":{"role":"assistant","content":"","refusal":null},"logprobs":null,"finish_reason":null}],"usage":null}`,
  `{${envelope},"choices":[{"index":0,"delta":{"content":"Bonjour "},"logprobs":null,"finish_reason":null}],"usage":null}`,
  `{${envelope},"choices":[{"index":0,"delta":{"content":"à tous — 你好"},"logprobs":null,"finish_reason":null}],"usage":null}`,
  `{${envelope},"choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}],"usage":null}`,
  `{${envelope},"choices":[],"usage":{"prompt_tokens":9,"completion_tokens":5,"total_tokens":14}}`,
];

/** A streamed tool call, arguments in pieces. */
export const toolStreamChunks: string[] = [
  `{${envelope},"choices":[{"index":0,"delta":{"role":"assistant","content":null,"tool_calls":[{"index":0,"id":"call_9","type":"function","function":{"name":"lookup","arguments":""}}]},"logprobs":null,"finish_reason":null}]}`,
  `{${envelope},"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\\"q\\":"}}]},"logprobs":null,"finish_reason":null}]}`,
  `{${envelope},"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"\\"llmux\\"}"}}]},"logprobs":null,"finish_reason":null}]}`,
  `{${envelope},"choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"tool_calls"}]}`,
];
