/** Shared inputs and checks of the toAnthropicRequest tests. */
import { InvalidRequestError } from "../../../src/errors/index.js";
import { toAnthropicRequest } from "../../../src/providers/anthropic/index.js";
import { validateAnthropic } from "./anthropic-spec.js";

export const model = "claude-sonnet-4-5-20250929";

/** A chat request without its (client-side) model name. */
export type RequestFields = { messages: unknown[]; [key: string]: unknown };

/** Maps a request and checks the outgoing body against the Anthropic spec's CreateMessageParams. */
export function toBody(request: RequestFields, upstream = model): Record<string, unknown> {
  const body = toAnthropicRequest({ model: "smart", ...request }, upstream);
  validateAnthropic("CreateMessageParams", body);
  return body;
}

/** The InvalidRequestError a request is refused with. */
export function rejection(request: RequestFields): InvalidRequestError {
  try {
    toAnthropicRequest({ model: "smart", ...request }, model);
  } catch (error) {
    if (error instanceof InvalidRequestError) return error;
    throw error;
  }
  throw new Error("expected an InvalidRequestError");
}

export const weatherTool = {
  type: "function",
  function: {
    name: "get_weather",
    description: "Get the current weather for a city.",
    parameters: {
      type: "object",
      properties: { location: { type: "string" }, unit: { type: "string", enum: ["celsius", "fahrenheit"] } },
      required: ["location"],
      additionalProperties: false,
    },
    strict: true,
  },
};
export const timeTool = { type: "function", function: { name: "get_time" } };
export const weatherDefinition = {
  name: "get_weather",
  description: "Get the current weather for a city.",
  input_schema: weatherTool.function.parameters,
};
export const timeDefinition = { name: "get_time", input_schema: { type: "object", properties: {} } };
export const hello = [{ role: "user", content: "Hello" }];
