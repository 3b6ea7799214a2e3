import { describe, expect, it } from "vitest";
import {
  ContinuationMapper,
  continuationRequest,
  isPrefillRejection,
  rewriteChunk,
  sentSoFar,
  splice,
  sumUsage,
} from "../../src/core/relay/recovery.js";
import { contextWindowOf } from "../../src/core/session/attempt-loop.js";
import type { StreamChunkEvent } from "../../src/types/index.js";

function chunk(delta: Record<string, unknown>, extra: Record<string, unknown> = {}): StreamChunkEvent {
  const body = {
    id: "chatcmpl-1",
    object: "chat.completion.chunk",
    created: 7,
    model: "m",
    choices: [{ index: 0, delta, finish_reason: null }],
    ...extra,
  };
  return {
    type: "chunk",
    data: JSON.stringify(body),
    content: typeof delta["content"] === "string" && delta["content"] !== "",
    finishReason: null,
    usage: null,
    usageOnly: false,
  };
}

describe("sentSoFar", () => {
  it("reads the text, id, created and model of what went out", () => {
    const sent = sentSoFar([
      chunk({ role: "assistant", content: "" }),
      chunk({ content: "Hello" }),
      chunk({ content: " world" }),
    ]);
    expect(sent).toMatchObject({
      text: "Hello world",
      id: "chatcmpl-1",
      created: 7,
      model: "m",
      unrecoverable: false,
      contentChunks: 2,
    });
  });

  it("a tool-call delta, a refusal, a second choice or a non-OpenAI chunk is unrecoverable", () => {
    expect(
      sentSoFar([chunk({ tool_calls: [{ index: 0, id: "c", function: { name: "f", arguments: "" } }] })])
        .unrecoverable,
    ).toBe(true);
    expect(sentSoFar([chunk({ refusal: "no" })]).unrecoverable).toBe(true);
    const second = {
      ...chunk({ content: "x" }),
      data: JSON.stringify({ id: "a", choices: [{ index: 1, delta: { content: "x" } }] }),
    };
    expect(sentSoFar([second]).unrecoverable).toBe(true);
    const anthropic = { ...chunk({}), data: JSON.stringify({ type: "content_block_delta" }) };
    expect(sentSoFar([anthropic]).unrecoverable).toBe(true);
  });
});

describe("continuationRequest", () => {
  const request = { model: "m", messages: [{ role: "user", content: "hi" }] };
  it("adds the sent text, without trailing whitespace, as an assistant turn", () => {
    expect(continuationRequest(request, "Hello world ", true).messages).toEqual([
      { role: "user", content: "hi" },
      { role: "assistant", content: "Hello world" },
    ]);
    expect(request.messages).toHaveLength(1);
  });
  it("without prefill it is the original request", () => {
    expect(continuationRequest(request, "Hello", false)).toBe(request);
  });
});

describe("isPrefillRejection", () => {
  it.each([
    [{ status: 400, code: "invalid_prefill", message: "x" }, true],
    [{ status: 400, message: "This model does not support assistant message prefill." }, true],
    [{ status: 400, message: "messages: final assistant content cannot end with trailing whitespace" }, true],
    [{ status: 400, message: "context length exceeded" }, false],
    [{ status: 500, message: "prefill" }, false],
    [null, false],
  ])("%j → %s", (error, expected) => {
    expect(isPrefillRejection(error)).toBe(expected);
  });
});

describe("splice", () => {
  it.each([
    ["Hello world", "Hel", { type: "wait" }],
    ["Hello world", "Hello world, and more", { type: "emit", text: ", and more" }],
    ["Hello  world", "Hello\nworld!", { type: "emit", text: "!" }],
    ["Hello world ", "Hello world", { type: "wait" }],
    ["Hello world ", "Hello world next", { type: "emit", text: "next" }],
    ["  Hello", "Hello there", { type: "emit", text: " there" }],
    ["Hello world", "Hello there", { type: "mismatch" }],
    ["Hello world", "Helloworld", { type: "mismatch" }],
  ] as const)("%j + %j", (sent, fresh, expected) => {
    expect(splice(sent, fresh)).toEqual(expected);
  });
});

describe("rewriteChunk", () => {
  const shape = {
    id: "first",
    created: 1,
    model: "orig",
    before: { prompt_tokens: 0, completion_tokens: 40, total_tokens: 40 },
  };
  it("keeps the first stream's id, created and model and drops the second role", () => {
    const out = rewriteChunk(chunk({ role: "assistant", content: " more" }), shape, undefined)!;
    expect(JSON.parse(out.data)).toMatchObject({
      id: "first",
      created: 1,
      model: "orig",
      choices: [{ delta: { content: " more" } }],
    });
    expect(JSON.parse(out.data).choices[0].delta.role).toBeUndefined();
  });
  it("a role-only chunk becomes nothing; a replaced empty content too", () => {
    expect(rewriteChunk(chunk({ role: "assistant", content: "" }), shape, undefined)).toBeNull();
    expect(rewriteChunk(chunk({ content: "Hello" }), shape, "")).toBeNull();
  });
  it("sums usage with the part before the break", () => {
    const usageChunk = {
      ...chunk({}),
      usage: { prompt_tokens: 12, completion_tokens: 20, total_tokens: 32 },
    };
    const out = rewriteChunk(usageChunk, shape, undefined)!;
    expect(out.usage).toEqual({ prompt_tokens: 12, completion_tokens: 60, total_tokens: 72 });
    expect(JSON.parse(out.data).usage).toEqual(out.usage);
  });
  it("sumUsage adds prompt and completion", () => {
    expect(
      sumUsage(
        { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 },
        { prompt_tokens: 4, completion_tokens: 5, total_tokens: 9 },
      ),
    ).toEqual({
      prompt_tokens: 5,
      completion_tokens: 7,
      total_tokens: 12,
    });
  });
});

describe("contextWindowOf", () => {
  it.each([
    [
      "This model's maximum context length is 8192 tokens. However, your messages resulted in 9000 tokens.",
      8192,
    ],
    ["maximum context length is 128,000 tokens", 128000],
    ["prompt is too long: 210000 tokens > 200000 maximum", null],
    ["bad request", null],
  ])("%s → %s", (message, expected) => {
    expect(contextWindowOf(message)).toBe(expected);
  });
});

describe("ContinuationMapper", () => {
  const shape = {
    id: "first",
    created: 1,
    model: "orig",
    before: { prompt_tokens: 0, completion_tokens: 2, total_tokens: 2 },
  };
  const sent = sentSoFar([chunk({ role: "assistant", content: "" }), chunk({ content: "Hello " })]);
  const text = (out: StreamChunkEvent | null): string | undefined =>
    out === null
      ? undefined
      : (JSON.parse(out.data) as { choices: Array<{ delta: { content?: string } }> }).choices[0]?.delta
          .content;

  it("with a prefill: the continuation as it comes, its first whitespace dropped when the prefill lost one", () => {
    const mapper = new ContinuationMapper(sent, true, shape, "a");
    expect(mapper.map(chunk({ role: "assistant", content: "" }))).toBeNull();
    expect(text(mapper.map(chunk({ content: " world" })))).toBe("world");
    expect(text(mapper.map(chunk({ content: "!" })))).toBe("!");
  });

  it("without: holds the regenerated answer until it repeated the text, then sends only the rest", () => {
    const mapper = new ContinuationMapper(sent, false, shape, "a");
    expect(mapper.map(chunk({ content: "Hel" }))).toBeNull();
    expect(text(mapper.map(chunk({ content: "lo world" })))).toBe("world");
    expect(mapper.mismatch).toBe(false);
  });

  it("a regenerated answer that differs sets mismatch and sends nothing", () => {
    const mapper = new ContinuationMapper(sent, false, shape, "a");
    expect(mapper.map(chunk({ content: "Hi there" }))).toBeNull();
    expect(mapper.mismatch).toBe(true);
    expect(mapper.map(chunk({ content: "more" }))).toBeNull();
  });

  it("the finish chunk says the answer was stitched", () => {
    const mapper = new ContinuationMapper(sent, true, shape, "a/m");
    const finish = {
      ...chunk({}),
      finishReason: "stop",
      data: JSON.stringify({ id: "x", choices: [{ index: 0, delta: {}, finish_reason: "stop" }] }),
    };
    expect(JSON.parse(mapper.map(finish)!.data)).toMatchObject({
      id: "first",
      llmux: { stitched: true, recovered_from: "a/m" },
    });
  });
});
