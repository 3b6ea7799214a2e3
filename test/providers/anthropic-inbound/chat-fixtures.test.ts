import { describe, it } from "vitest";
import * as fixtures from "../../helpers/chat-fixtures.js";
import { validateOpenAI } from "../../helpers/openai-spec.js";

/** The upstream fixtures are only worth something if they are what OpenAI-compatible upstreams send. */
describe("chat fixtures match the OpenAI spec", () => {
  const streams = Object.entries(fixtures).filter(([name]) => name.endsWith("Stream"));
  const completions = Object.entries(fixtures).filter(([name]) => name.endsWith("Completion"));

  it.each(streams)("stream %s: every chunk is a CreateChatCompletionStreamResponse", (_name, chunks) => {
    for (const chunk of chunks as unknown[]) validateOpenAI("CreateChatCompletionStreamResponse", chunk);
  });

  it.each(completions)("completion %s is a CreateChatCompletionResponse", (_name, body) => {
    validateOpenAI("CreateChatCompletionResponse", body);
  });
});
