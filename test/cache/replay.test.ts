import { describe, expect, it } from "vitest";
import {
  answerFromBody,
  answerFromChunks,
  bodyToChunks,
  chunksToBody,
  replayAsBody,
  replayAsSse,
  replayFor,
  type CachedAnswer,
} from "../../src/core/cache/index.js";
import type { ChatCompletionBody, ChatCompletionChunkBody } from "../../src/types/index.js";
import { validateOpenAI } from "../helpers/openai-spec.js";
import { streamChunks, textBody, toolBody, toolStreamChunks, twoChoicesBody } from "./answers.js";

const decoder = new TextDecoder();
const bodyAnswer = (body: ChatCompletionBody): CachedAnswer => answerFromBody(JSON.stringify(body))!;

/** The chunks of SSE event texts, checking the framing and the final `[DONE]`. */
function chunksOf(events: string[]): ChatCompletionChunkBody[] {
  expect(events.at(-1)).toBe("data: [DONE]\n\n");
  return events.slice(0, -1).map((event) => {
    expect(event).toMatch(/^data: \{.*\}\n\n$/s);
    const chunk = JSON.parse(event.slice("data: ".length)) as ChatCompletionChunkBody;
    validateOpenAI("CreateChatCompletionStreamResponse", chunk);
    return chunk;
  });
}

function parsedBody(answer: CachedAnswer): ChatCompletionBody {
  const { contentType, body } = replayAsBody(answer);
  expect(contentType).toBe("application/json");
  const parsed = JSON.parse(decoder.decode(body)) as ChatCompletionBody;
  validateOpenAI("CreateChatCompletionResponse", parsed);
  return parsed;
}

describe("a cached body replayed as a stream", () => {
  it.each([
    ["text", textBody],
    ["tool calls", toolBody],
    ["two choices with logprobs", twoChoicesBody],
  ])("%s: valid chunks that add up to the same answer", (_name, body) => {
    const chunks = chunksOf(replayAsSse(bodyAnswer(body), { includeUsage: false }));
    expect(chunks.every((chunk) => chunk.id === body.id && chunk.model === body.model)).toBe(true);
    expect(chunks.some((chunk) => chunk.choices.length === 0)).toBe(false);
    const rebuilt = chunksToBody(chunks);
    validateOpenAI("CreateChatCompletionResponse", rebuilt);
    const byIndex = (b: ChatCompletionBody) => [...b.choices].sort((x, y) => x.index - y.index);
    for (const [original, again] of byIndex(body).map((c, i) => [c, byIndex(rebuilt)[i]!] as const)) {
      expect(again.finish_reason).toBe(original.finish_reason);
      expect(again.message).toMatchObject({
        role: "assistant",
        content: (original.message as { content: unknown }).content,
      });
      expect(again.logprobs).toEqual(original["logprobs"]);
    }
  });

  it("role chunk first, finish last for each choice; the usage chunk only when asked", () => {
    const without = chunksOf(replayAsSse(bodyAnswer(textBody), { includeUsage: false }));
    expect(without[0]!.choices[0]!.delta).toEqual({ role: "assistant", content: "" });
    expect(without.at(-1)!.choices[0]!.finish_reason).toBe("stop");
    const withUsage = chunksOf(replayAsSse(bodyAnswer(textBody), { includeUsage: true }));
    expect(withUsage).toHaveLength(without.length + 1);
    expect(withUsage.at(-1)).toMatchObject({ choices: [], usage: textBody.usage });
  });

  it("tool calls keep their ids, names, arguments and order", () => {
    const rebuilt = chunksToBody(chunksOf(replayAsSse(bodyAnswer(toolBody), { includeUsage: false })));
    expect(rebuilt.choices[0]!.message).toEqual(toolBody.choices[0]!.message);
  });
});

describe("a cached stream", () => {
  const answer = answerFromChunks(streamChunks)!;

  it("replays its own chunks, with usage when asked", () => {
    const events = replayAsSse(answer, { includeUsage: true });
    expect(events.slice(0, -1)).toEqual(streamChunks.map((chunk) => `data: ${chunk}\n\n`));
    chunksOf(events);
  });

  it("without usage: no usage chunk and no usage:null tails, as if never asked", () => {
    const chunks = chunksOf(replayAsSse(answer, { includeUsage: false }));
    expect(chunks).toHaveLength(streamChunks.length - 1);
    expect(chunks.every((chunk) => !("usage" in chunk))).toBe(true);
  });

  it("as a body: the completion its chunks add up to", () => {
    const body = parsedBody(answer);
    expect(body).toMatchObject({
      id: "chatcmpl-s1",
      object: "chat.completion",
      system_fingerprint: "fp_2",
      usage: { prompt_tokens: 9, completion_tokens: 5, total_tokens: 14 },
      choices: [
        {
          index: 0,
          finish_reason: "stop",
          message: { role: "assistant", content: "Bonjour à tous — 你好", refusal: null },
        },
      ],
    });
  });

  it("a streamed tool call becomes one tool call with its arguments joined", () => {
    const body = parsedBody(answerFromChunks(toolStreamChunks)!);
    expect(body.choices[0]).toMatchObject({
      finish_reason: "tool_calls",
      message: {
        content: null,
        tool_calls: [
          { id: "call_9", type: "function", function: { name: "lookup", arguments: '{"q":"llmux"}' } },
        ],
      },
    });
  });
});

describe("replayFor", () => {
  it("streams for stream: true (usage per stream_options), a body otherwise", () => {
    const answer = bodyAnswer(textBody);
    const streamed = replayFor(answer, {
      model: "m",
      messages: [],
      stream: true,
      stream_options: { include_usage: true },
    });
    expect(streamed.kind).toBe("stream");
    if (streamed.kind === "stream") expect(chunksOf(streamed.events).at(-1)!.usage).toEqual(textBody.usage);
    const plain = replayFor(answer, { model: "m", messages: [] });
    expect(plain).toMatchObject({ kind: "body", contentType: "application/json" });
    if (plain.kind === "body") expect(JSON.parse(decoder.decode(plain.body))).toEqual(textBody);
  });
});

describe("what may be cached", () => {
  it("a complete chat.completion body, bytes kept as sent", () => {
    const bytes = new TextEncoder().encode(JSON.stringify(textBody));
    expect(answerFromBody(bytes, "application/json; charset=utf-8")).toEqual({
      kind: "body",
      contentType: "application/json; charset=utf-8",
      body: bytes,
    });
  });

  it.each([
    ["an error body", { error: { message: "x", type: "server_error", param: null, code: null } }],
    ["an unfinished choice", { ...textBody, choices: [{ ...textBody.choices[0]!, finish_reason: null }] }],
    ["no choices", { ...textBody, choices: [] }],
  ])("not %s", (_name, body) => {
    expect(answerFromBody(JSON.stringify(body))).toBeNull();
  });

  it("not a body that is not JSON", () => {
    expect(answerFromBody("<html>502</html>", "text/html")).toBeNull();
  });

  it("not a stream without a finish reason for every choice, nor one with an in-band error", () => {
    expect(answerFromChunks(streamChunks.slice(0, 3))).toBeNull();
    expect(answerFromChunks([...streamChunks.slice(0, 2), '{"error":{"message":"overloaded"}}'])).toBeNull();
    expect(answerFromChunks([])).toBeNull();
    const twoChoices = bodyToChunks(twoChoicesBody, false).map((chunk) => JSON.stringify(chunk));
    expect(answerFromChunks(twoChoices)).not.toBeNull();
    expect(answerFromChunks(twoChoices.slice(0, -1))).toBeNull();
  });
});
