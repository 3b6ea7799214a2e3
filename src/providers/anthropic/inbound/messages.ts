import { InvalidRequestError } from "../../../errors/index.js";
import { isRecord } from "../../../util/index.js";
import { stringField, type JsonObject } from "../fields.js";
import { blockSeparator, joinText, partsContent, simpleParts, type ChatPart } from "./content.js";
import { describe, requireRecord } from "./read.js";

/** One OpenAI chat message as this mapper builds it. */
export type ChatMessage = JsonObject;

/** Block types of assistant history an OpenAI-compatible upstream cannot replay: dropped. */
const unreplayable = new Set([
  "thinking",
  "redacted_thinking",
  "server_tool_use",
  "web_search_tool_result",
  "web_fetch_tool_result",
  "code_execution_tool_result",
  "bash_code_execution_tool_result",
  "text_editor_code_execution_tool_result",
  "tool_search_tool_result",
  "mcp_tool_use",
  "mcp_tool_result",
  "container_upload",
]);

/** The prefix that marks a failed tool result (`is_error: true`) in the tool message's text. */
export const toolErrorPrefix = "Error: ";

function errorText(text: string): string {
  if (/^error\b/i.test(text)) return text;
  return text === "" ? "Error" : `${toolErrorPrefix}${text}`;
}

function imageNote(count: number): string {
  return count === 1
    ? "[1 image from this tool result follows in the next user message]"
    : `[${count} images from this tool result follow in the next user message]`;
}

/**
 * A `tool_result` block → a tool message. Its text blocks become the content (joined); its images
 * cannot go in a tool message, so they are returned for the user message that follows, and the
 * content says so. `is_error: true` prefixes the text with `Error: ` (unless it already starts
 * with "error").
 */
function toolResult(block: JsonObject, param: string): { message: ChatMessage; images: ChatPart[] } {
  const id = stringField(block, "tool_use_id");
  if (id === null || id === "") {
    throw new InvalidRequestError(`${param}.tool_use_id is required.`, { param: `${param}.tool_use_id` });
  }
  const content = block["content"];
  const parts =
    typeof content === "string"
      ? [{ type: "text", text: content }]
      : Array.isArray(content)
        ? content.flatMap((item: unknown, index) => simpleParts(item, `${param}.content[${index}]`))
        : [];
  const texts = parts.filter((part) => part["type"] === "text");
  const images = parts.filter((part) => part["type"] !== "text");
  let text = joinText(texts);
  if (block["is_error"] === true) text = errorText(text);
  if (images.length > 0)
    text = text === "" ? imageNote(images.length) : `${text}\n${imageNote(images.length)}`;
  return { message: { role: "tool", tool_call_id: id, content: text }, images };
}

/**
 * A user turn → OpenAI messages: one tool message per `tool_result` block (in order, first, since
 * OpenAI wants them right after the assistant's tool calls), then one user message with the other
 * blocks in order (images from tool results first), when there are any.
 */
export function userMessages(content: unknown, param: string): ChatMessage[] {
  if (typeof content === "string") return [{ role: "user", content }];
  if (!Array.isArray(content)) {
    throw new InvalidRequestError(
      `${param} must be a string or an array of blocks, not ${describe(content)}.`,
      {
        param,
      },
    );
  }
  const tools: ChatMessage[] = [];
  const carried: ChatPart[] = [];
  const parts: ChatPart[] = [];
  content.forEach((block: unknown, index) => {
    const blockParam = `${param}[${index}]`;
    if (isRecord(block) && block["type"] === "tool_result") {
      const result = toolResult(block, blockParam);
      tools.push(result.message);
      carried.push(...result.images);
    } else if (isRecord(block) && unreplayable.has(String(block["type"]))) {
      return;
    } else {
      parts.push(...simpleParts(block, blockParam));
    }
  });
  const rest = [...carried, ...parts];
  return rest.length === 0 ? tools : [...tools, { role: "user", content: partsContent(rest) }];
}

function toolCall(block: JsonObject, param: string): JsonObject {
  const id = stringField(block, "id");
  const name = stringField(block, "name");
  if (id === null || id === "" || name === null || name === "") {
    throw new InvalidRequestError(`${param}: a tool_use block needs an id and a name.`, { param });
  }
  const input = block["input"];
  return {
    id,
    type: "function",
    function: { name, arguments: JSON.stringify(isRecord(input) ? input : {}) },
  };
}

/**
 * An assistant turn → at most one assistant message: text blocks joined (blank line between) as
 * `content` (`null` when there is none), `tool_use` blocks → `tool_calls` (ids kept, `input` as
 * JSON arguments). Thinking, redacted thinking and server-tool blocks are dropped: an
 * OpenAI-compatible upstream cannot replay them. Nothing left → no message.
 */
export function assistantMessages(content: unknown, param: string): ChatMessage[] {
  if (typeof content === "string") return content === "" ? [] : [{ role: "assistant", content }];
  if (!Array.isArray(content)) {
    throw new InvalidRequestError(
      `${param} must be a string or an array of blocks, not ${describe(content)}.`,
      {
        param,
      },
    );
  }
  const texts: string[] = [];
  const calls: JsonObject[] = [];
  content.forEach((item: unknown, index) => {
    const blockParam = `${param}[${index}]`;
    const block = requireRecord(item, blockParam);
    const type = block["type"];
    if (type === "text") texts.push(stringField(block, "text") ?? "");
    else if (type === "tool_use") calls.push(toolCall(block, blockParam));
    else if (!unreplayable.has(String(type))) {
      throw new InvalidRequestError(
        `${blockParam}: block type ${JSON.stringify(type)} is not valid in an assistant turn.`,
        {
          param: blockParam,
        },
      );
    }
  });
  const text = texts.filter((piece) => piece !== "").join(blockSeparator);
  if (text === "" && calls.length === 0) return [];
  const message: ChatMessage = { role: "assistant", content: text === "" ? null : text };
  if (calls.length > 0) message["tool_calls"] = calls;
  return [message];
}

/** System content (a string or text blocks; `cache_control` dropped) → one string, blocks joined by a blank line. */
export function systemText(content: unknown, param: string): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) {
    throw new InvalidRequestError(
      `${param} must be a string or an array of text blocks, not ${describe(content)}.`,
      {
        param,
      },
    );
  }
  return content
    .map((item: unknown, index) => {
      const text = stringField(item, "text");
      if (text === null) {
        throw new InvalidRequestError(`${param}[${index}] must be a text block.`, {
          param: `${param}[${index}]`,
        });
      }
      return text;
    })
    .filter((text) => text !== "")
    .join(blockSeparator);
}

/**
 * Anthropic `system` + `messages` → OpenAI messages: the system prompt first (one system message),
 * then each turn in order (a `system` role inside `messages`, which some clients send, stays a
 * system message where it is).
 */
export function toChatMessages(system: unknown, messages: unknown): ChatMessage[] {
  if (!Array.isArray(messages) || messages.length === 0) {
    throw new InvalidRequestError("messages must be a non-empty array.", { param: "messages" });
  }
  const out: ChatMessage[] = [];
  if (system !== undefined && system !== null) {
    const text = systemText(system, "system");
    if (text !== "") out.push({ role: "system", content: text });
  }
  messages.forEach((item: unknown, index) => {
    const param = `messages[${index}]`;
    const message = requireRecord(item, param);
    const content = message["content"];
    switch (message["role"]) {
      case "user":
        out.push(...userMessages(content, `${param}.content`));
        return;
      case "assistant":
        out.push(...assistantMessages(content, `${param}.content`));
        return;
      case "system": {
        const text = systemText(content, `${param}.content`);
        if (text !== "") out.push({ role: "system", content: text });
        return;
      }
      default:
        throw new InvalidRequestError(`${param}.role must be "user" or "assistant".`, {
          param: `${param}.role`,
        });
    }
  });
  return out;
}
