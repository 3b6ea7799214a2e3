import { InvalidRequestError } from "../../errors/index.js";
import { isRecord, safeJsonParse } from "../../util/index.js";
import { assistantTextBlocks, systemBlocks, userBlocks } from "./content.js";
import { field, stringField, type JsonObject } from "./fields.js";

/** One Anthropic input message. */
export interface AnthropicMessage {
  role: "user" | "assistant";
  content: string | JsonObject[];
}

/** OpenAI `messages` split into Anthropic's top-level system text blocks and turns. */
export interface ConvertedMessages {
  system: JsonObject[];
  messages: AnthropicMessage[];
}

interface Turn {
  role: "user" | "assistant";
  content: JsonObject[];
}

/**
 * Makes a tool call id acceptable to Anthropic (`^[a-zA-Z0-9_-]+$`): other characters (ids such as
 * `functions.get_weather:0` from some OpenAI-compatible vendors) become `_`. Applied alike to
 * `tool_use.id` and `tool_result.tool_use_id`, so the pair still matches.
 */
export function toolUseId(id: string): string {
  const safe = id.replace(/[^a-zA-Z0-9_-]/g, "_");
  return safe === "" ? "tool_call" : safe;
}

/** `JSON.parse(arguments)` when it is an object; anything else (unparsable, an array, a number) → `{}`. */
function toolInput(args: unknown): JsonObject {
  const parsed = typeof args === "string" ? safeJsonParse(args) : args;
  return isRecord(parsed) ? parsed : {};
}

function toolUseBlock(call: unknown, param: string): JsonObject {
  const id = stringField(call, "id");
  const fn = field(call, "function");
  const name = stringField(fn, "name");
  if (id === null || name === null || (field(call, "type") ?? "function") !== "function") {
    throw new InvalidRequestError(`${param} must be a function tool call with an id and a name.`, { param });
  }
  return { type: "tool_use", id: toolUseId(id), name, input: toolInput(field(fn, "arguments")) };
}

function assistantBlocks(message: JsonObject, param: string): JsonObject[] {
  const blocks = assistantTextBlocks(message["content"], `${param}.content`);
  const calls = message["tool_calls"];
  if (Array.isArray(calls)) {
    calls.forEach((call: unknown, index) => blocks.push(toolUseBlock(call, `${param}.tool_calls[${index}]`)));
  }
  return blocks;
}

function toolResultBlock(message: JsonObject, param: string): JsonObject {
  const id = stringField(message, "tool_call_id");
  if (id === null) throw new InvalidRequestError(`${param}.tool_call_id must be a string.`, { param });
  const content = message["content"];
  const block: JsonObject = { type: "tool_result", tool_use_id: toolUseId(id) };
  if (typeof content === "string") block["content"] = content;
  else {
    const blocks = userBlocks(content, `${param}.content`);
    if (blocks.length > 0) block["content"] = blocks;
  }
  return block;
}

/** Appends blocks to the last turn when it has the same role (merging), else opens a turn. */
function append(turns: Turn[], role: Turn["role"], blocks: JsonObject[]): void {
  if (blocks.length === 0) return;
  const last = turns.at(-1);
  if (last !== undefined && last.role === role) last.content.push(...blocks);
  else turns.push({ role, content: blocks });
}

/** Anthropic wants a user turn's `tool_result` blocks before anything else in it (stable order otherwise). */
function toolResultsFirst(blocks: JsonObject[]): JsonObject[] {
  const results = blocks.filter((block) => block["type"] === "tool_result");
  if (results.length === 0) return blocks;
  return [...results, ...blocks.filter((block) => block["type"] !== "tool_result")];
}

/** A turn that is one plain text block is sent as a string (the shorthand the API documents). */
function finish(turn: Turn): AnthropicMessage {
  const content = turn.role === "user" ? toolResultsFirst(turn.content) : turn.content;
  const only = content.length === 1 ? content[0] : undefined;
  if (only !== undefined && only["type"] === "text" && Object.keys(only).length === 2) {
    return { role: turn.role, content: String(only["text"]) };
  }
  return { role: turn.role, content };
}

/**
 * Converts OpenAI chat messages to Anthropic's shape:
 * - `system` and `developer` messages, wherever they are, become top-level system text blocks;
 * - user content maps part by part (text, images; files and audio are rejected);
 * - an assistant message becomes its text blocks then one `tool_use` per tool call (refusals dropped,
 *   `content: null` allowed);
 * - each `tool` message becomes a `tool_result` block in a user turn;
 * - consecutive messages of the same role (after that mapping) merge into one turn, so runs of tool
 *   results and a user message right after them form ONE user turn, `tool_result` blocks first.
 * Messages that map to nothing (empty text) are skipped. No turn is invented: a history that starts
 * with an assistant message is sent starting with that assistant turn (the API combines turns and
 * accepts it; an invented user turn would change the conversation).
 * Throws InvalidRequestError (with `param`) for unknown roles, content the API cannot take, or
 * when no user or assistant turn is left.
 */
export function toAnthropicMessages(messages: readonly unknown[]): ConvertedMessages {
  const system: JsonObject[] = [];
  const turns: Turn[] = [];
  messages.forEach((message: unknown, index) => {
    const param = `messages[${index}]`;
    if (!isRecord(message)) throw new InvalidRequestError(`${param} must be an object.`, { param });
    const role = message["role"];
    switch (role) {
      case "system":
      case "developer":
        system.push(...systemBlocks(message["content"], `${param}.content`));
        return;
      case "user":
        append(turns, "user", userBlocks(message["content"], `${param}.content`));
        return;
      case "assistant":
        append(turns, "assistant", assistantBlocks(message, param));
        return;
      case "tool":
        append(turns, "user", [toolResultBlock(message, param)]);
        return;
      default:
        throw new InvalidRequestError(
          `${param}.role ${JSON.stringify(role)} is not supported by Anthropic.`,
          {
            param: `${param}.role`,
          },
        );
    }
  });
  if (turns.length === 0) {
    throw new InvalidRequestError("Anthropic needs at least one user or assistant message with content.", {
      param: "messages",
    });
  }
  return { system, messages: turns.map(finish) };
}
