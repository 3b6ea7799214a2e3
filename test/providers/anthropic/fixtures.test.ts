import { describe, expect, it } from "vitest";
import { validateAnthropic } from "./anthropic-spec.js";
import * as errors from "./fixtures/errors.js";
import { allMessages } from "./fixtures/messages.js";
import * as streams from "./fixtures/streams.js";
import { sseMessages } from "./sse.js";

/** The fixtures are only worth something if they are what Anthropic sends: check them against the spec. */
describe("Anthropic fixtures match the Anthropic spec", () => {
  it.each(Object.entries(allMessages))("Message %s", (_name, message) => {
    validateAnthropic("Message", message);
  });

  it.each(Object.entries(streams))("stream %s: named events whose data validates", async (_name, text) => {
    const messages = await sseMessages(text);
    expect(messages.length).toBeGreaterThan(3);
    for (const message of messages) {
      const data = JSON.parse(message.data) as { type: string };
      expect(message.event).toBe(data.type);
      if (data.type !== "error") validateAnthropic("MessageStreamEvent", data);
    }
  });

  it.each(Object.entries(errors).filter(([name]) => name !== "requestTooLarge413"))(
    "error body %s",
    (_name, body) => {
      validateAnthropic("ErrorResponse", body);
    },
  );

  it("rejects a request body with a key the API does not know (the validator is strict)", () => {
    const body = {
      model: "claude-3-haiku-20240307",
      max_tokens: 10,
      messages: [{ role: "user", content: "Hi" }],
    };
    validateAnthropic("CreateMessageParams", body);
    expect(() => validateAnthropic("CreateMessageParams", { ...body, n: 2 })).toThrow(
      /additional properties/,
    );
    expect(() => validateAnthropic("CreateMessageParams", { ...body, temperature: 1.5 })).toThrow(
      /temperature/,
    );
  });

  it("rejects a Message that breaks the spec (the validator is live)", () => {
    expect(() => validateAnthropic("Message", { ...allMessages.textMessage, stop_reason: "done" })).toThrow(
      /stop_reason/,
    );
  });
});
