import { describe, expect, it } from "vitest";
import { openAIRequestBody, topLevelStringRange } from "../../src/providers/openai/request-body.js";
import type { RequestSource } from "../../src/types/index.js";

function source(text: string, dialect?: RequestSource["dialect"]): RequestSource {
  return { body: JSON.parse(text) as object, text, ...(dialect ? { dialect } : {}) } as RequestSource;
}

describe("topLevelStringRange", () => {
  it("finds the top-level value, skipping the same key nested and inside strings", () => {
    const text = '{"messages":[{"model":"inner","content":"\\"model\\": \\"x\\""}], "model" : "gpt-4o"}';
    const range = topLevelStringRange(text, "model");
    expect(range).not.toBeNull();
    expect(text.slice(...range!)).toBe('"gpt-4o"');
  });

  it("takes the last of duplicate keys, as JSON.parse does", () => {
    const text = '{"model":"a","model":"b"}';
    expect(text.slice(...topLevelStringRange(text, "model")!)).toBe('"b"');
  });

  it("handles escaped backslashes before a closing quote", () => {
    const text = '{"s":"ends with \\\\","model":"m\\"q"}';
    expect(text.slice(...topLevelStringRange(text, "model")!)).toBe('"m\\"q"');
  });

  it("is null when the key is missing or its value is not a string", () => {
    expect(topLevelStringRange('{"messages":[]}', "model")).toBeNull();
    expect(topLevelStringRange('{"model":42}', "model")).toBeNull();
    expect(topLevelStringRange('{"x":{"model":"deep"}}', "model")).toBeNull();
  });
});

describe("openAIRequestBody", () => {
  const text =
    '{ "model": "fast", "messages": [{"role":"user","content":"héllo \\u00e9"}], "temperature": 0.2 }';

  it("splices only the model into the caller's text, byte for byte otherwise", () => {
    const src = source(text);
    const request = { ...src.body, model: "gpt-4o-mini" };
    const body = openAIRequestBody(request, src);
    expect(body).toBe(text.replace('"fast"', '"gpt-4o-mini"'));
    expect(body).toContain("\\u00e9"); // not re-serialised
  });

  it("adds stream_options.include_usage by splicing", () => {
    const src = source(text);
    const request = { ...src.body, model: "m", stream_options: { include_usage: true } };
    const body = openAIRequestBody(request, src);
    expect(JSON.parse(body)).toEqual(request);
    expect(body.startsWith('{"stream_options":{"include_usage":true},')).toBe(true);
    const emptySource = source("{ }");
    const empty = openAIRequestBody(
      { ...emptySource.body, stream_options: { include_usage: true } },
      emptySource,
    );
    expect(JSON.parse(empty)).toEqual({ stream_options: { include_usage: true } });
  });

  it("serialises the request when anything else changed, was added or was removed", () => {
    const src = source(text);
    const original = src.body as Record<string, unknown>;
    const changed = { ...original, temperature: 0.9 };
    expect(openAIRequestBody(changed, src)).toBe(JSON.stringify(changed));
    const added = { ...original, max_tokens: 5 };
    expect(openAIRequestBody(added, src)).toBe(JSON.stringify(added));
    const { temperature: _dropped, ...removed } = original;
    expect(openAIRequestBody(removed, src)).toBe(JSON.stringify(removed));
    const messages = { ...original, messages: [{ role: "user", content: "other" }] };
    expect(openAIRequestBody(messages, src)).toBe(JSON.stringify(messages));
  });

  it("serialises without a source and for callers of another dialect", () => {
    const request = { model: "m", messages: [] };
    expect(openAIRequestBody(request, undefined)).toBe(JSON.stringify(request));
    const anthropicText = '{"model":"claude","messages":[]}';
    expect(openAIRequestBody(request, source(anthropicText, "anthropic"))).toBe(JSON.stringify(request));
  });

  it("returns the caller's text untouched when nothing changed", () => {
    const src = source(text);
    expect(openAIRequestBody(src.body, src)).toBe(text);
    expect(openAIRequestBody({ ...src.body }, src)).toBe(text);
  });
});
