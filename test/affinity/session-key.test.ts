import { describe, expect, it } from "vitest";
import { affinityKey, type AffinitySource } from "../../src/core/affinity/index.js";

const chat = {
  model: "smart",
  messages: [
    { role: "system", content: "You are a careful assistant." },
    { role: "user", content: "Summarize the attached contract." },
  ],
};

describe("affinityKey", () => {
  it.each<[string, Record<string, string>, Record<string, unknown>, AffinitySource]>([
    [
      "the Claude Code session header first",
      { "x-claude-code-session-id": "s-1", "x-session-id": "x" },
      { ...chat, prompt_cache_key: "p", user: "u" },
      "claude-code-session",
    ],
    [
      "then prompt_cache_key",
      { "x-session-id": "x" },
      { ...chat, prompt_cache_key: "p", user: "u" },
      "prompt-cache-key",
    ],
    ["then user", { "x-session-id": "x" }, { ...chat, user: "u" }, "user"],
    [
      "then Anthropic's metadata.user_id",
      {},
      { ...chat, metadata: { user_id: "user_abc_session_1" } },
      "user",
    ],
    ["then x-session-id", { "x-session-id": "x" }, chat, "session-header"],
    ["else the prompt prefix", {}, chat, "prompt-prefix"],
  ])("%s", (_name, headers, body, source) => {
    expect(affinityKey("smart", headers, body)?.source).toBe(source);
  });

  it("a 32-hex hash: stable, per group, never the raw id", () => {
    const one = affinityKey("smart", { "x-session-id": "secret-session" }, chat)!;
    expect(one.key).toMatch(/^[0-9a-f]{32}$/);
    expect(affinityKey("smart", { "x-session-id": "secret-session" }, chat)).toEqual(one);
    expect(affinityKey("fast", { "x-session-id": "secret-session" }, chat)!.key).not.toBe(one.key);
    expect(affinityKey("smart", { "x-session-id": "other" }, chat)!.key).not.toBe(one.key);
    // The same value from another source is another key.
    expect(affinityKey("smart", {}, { ...chat, user: "secret-session" })!.key).not.toBe(one.key);
  });

  it("headers are found in any case and as lists; blank values do not count", () => {
    const expected = affinityKey("g", { "x-claude-code-session-id": "abc" }, chat);
    expect(affinityKey("g", { "X-Claude-Code-Session-Id": "abc" }, chat)).toEqual(expected);
    expect(affinityKey("g", { "x-claude-code-session-id": ["abc"] }, chat)).toEqual(expected);
    expect(affinityKey("g", { "x-claude-code-session-id": "  " }, { ...chat, user: "" })?.source).toBe(
      "prompt-prefix",
    );
  });

  it("the prompt prefix keeps a conversation together and tells different ones apart", () => {
    const turn1 = affinityKey("g", {}, chat)!;
    const later = {
      ...chat,
      messages: [
        ...chat.messages,
        { role: "assistant", content: "Sure." },
        { role: "user", content: "Shorter please." },
      ],
    };
    expect(affinityKey("g", {}, later)).toEqual(turn1);
    const otherSystem = { ...chat, messages: [{ role: "system", content: "Be terse." }, chat.messages[1]] };
    expect(affinityKey("g", {}, otherSystem)!.key).not.toBe(turn1.key);
    const otherQuestion = {
      ...chat,
      messages: [chat.messages[0], { role: "user", content: "Something else" }],
    };
    expect(affinityKey("g", {}, otherQuestion)!.key).not.toBe(turn1.key);
  });

  it("reads Anthropic Messages and Responses bodies too", () => {
    const anthropic = {
      model: "m",
      system: [{ type: "text", text: "You are Claude Code." }],
      messages: [{ role: "user", content: [{ type: "text", text: "fix the bug" }] }],
    };
    const sameAnthropic = {
      ...anthropic,
      messages: [...anthropic.messages, { role: "assistant", content: "ok" }],
    };
    expect(affinityKey("g", {}, anthropic)).toEqual(affinityKey("g", {}, sameAnthropic));
    const responses = {
      model: "m",
      instructions: "You are Codex.",
      input: [{ role: "user", content: [{ type: "input_text", text: "add tests" }] }],
    };
    expect(affinityKey("g", {}, responses)?.source).toBe("prompt-prefix");
    expect(affinityKey("g", {}, { model: "m", input: "hello" })!.key).not.toBe(
      affinityKey("g", {}, { model: "m", input: "bye" })!.key,
    );
  });

  it("hashes a bounded prefix: differences past 8 K characters do not split a session", () => {
    const long = "x".repeat(10_000);
    const a = {
      model: "m",
      messages: [
        { role: "system", content: `${long}A` },
        { role: "user", content: "q" },
      ],
    };
    const b = {
      model: "m",
      messages: [
        { role: "system", content: `${long}B` },
        { role: "user", content: "q" },
      ],
    };
    expect(affinityKey("g", {}, a)).toEqual(affinityKey("g", {}, b));
  });

  it("null when there is nothing to go by", () => {
    expect(affinityKey("g", {}, { model: "m", messages: [] })).toBeNull();
    expect(affinityKey("g", {}, { model: "m" })).toBeNull();
  });
});
