import { InvalidRequestError } from "../../../errors/index.js";
import { chatParts, joinText, partSeparator, partsContent, type ChatPart } from "./input-content.js";
import { describe, requireRecord, stringField, type JsonObject } from "./read.js";

/** One chat message as this mapper builds it. */
export type ChatMessage = JsonObject;

/** Chat messages from input items, and the item types that were dropped. */
export interface MappedInput {
  messages: ChatMessage[];
  /** Types of dropped items (records of built-in tools a chat upstream cannot replay), in order. */
  droppedItems: string[];
}

/** Records of built-in tools' calls and results: a chat upstream cannot replay them, so they are dropped. */
const builtInItems = new Set([
  "web_search_call",
  "file_search_call",
  "image_generation_call",
  "code_interpreter_call",
  "computer_call",
  "computer_call_output",
  "local_shell_call",
  "local_shell_call_output",
  "shell_call",
  "shell_call_output",
  "apply_patch_call",
  "apply_patch_call_output",
  "mcp_call",
  "mcp_list_tools",
  "mcp_approval_request",
  "mcp_approval_response",
  "tool_search_call",
  "tool_search_output",
  "compaction",
]);

function requiredText(item: JsonObject, key: string, param: string): string {
  const value = stringField(item, key);
  if (value === null || value === "") {
    throw new InvalidRequestError(`${param}.${key} is required.`, { param: `${param}.${key}` });
  }
  return value;
}

/** The input items of a request being mapped: chat messages so far and images waiting for a user message. */
class Conversation {
  readonly messages: ChatMessage[] = [];
  readonly droppedItems: string[] = [];
  private carried: ChatPart[] = [];

  /** The last message when it is the assistant's (calls and text of one turn merge into it). */
  private assistant(): ChatMessage {
    const last = this.messages.at(-1);
    if (last !== undefined && last["role"] === "assistant") return last;
    const message: ChatMessage = { role: "assistant", content: null };
    this.messages.push(message);
    return message;
  }

  /** Images and files from tool outputs go in a user message right after the tool messages. */
  flush(): void {
    if (this.carried.length === 0) return;
    this.messages.push({ role: "user", content: [...this.carried] });
    this.carried = [];
  }

  message(item: JsonObject, param: string): void {
    const role = item["role"];
    const parts = chatParts(item["content"], `${param}.content`);
    if (role === "system" || role === "developer")
      this.messages.push({ role: "system", content: joinText(parts) });
    else if (role === "user") this.messages.push({ role: "user", content: partsContent(parts) });
    else if (role === "assistant") {
      const text = joinText(parts);
      if (text === "") return;
      const message = this.assistant();
      const before = message["content"];
      message["content"] =
        typeof before === "string" && before !== "" ? `${before}${partSeparator}${text}` : text;
    } else {
      throw new InvalidRequestError(`${param}.role must be user, assistant, system or developer.`, {
        param: `${param}.role`,
      });
    }
  }

  call(item: JsonObject, param: string, custom: boolean): void {
    const id = requiredText(item, "call_id", param);
    const name = requiredText(item, "name", param);
    const input = item[custom ? "input" : "arguments"];
    if (typeof input !== "string") {
      throw new InvalidRequestError(`${param}.${custom ? "input" : "arguments"} must be a string.`, {
        param,
      });
    }
    const args = custom ? JSON.stringify({ input }) : input;
    const message = this.assistant();
    const calls = Array.isArray(message["tool_calls"]) ? (message["tool_calls"] as unknown[]) : [];
    message["tool_calls"] = [...calls, { id, type: "function", function: { name, arguments: args } }];
  }

  output(item: JsonObject, param: string): void {
    const id = requiredText(item, "call_id", param);
    const output = item["output"];
    const parts = output === undefined || output === null ? [] : chatParts(output, `${param}.output`);
    const others = parts.filter((part) => part["type"] !== "text");
    let text = joinText(parts);
    if (others.length > 0) {
      const note = `[${others.length} attachment${others.length === 1 ? "" : "s"} from this tool output follow${others.length === 1 ? "s" : ""} in the next user message]`;
      text = text === "" ? note : `${text}\n${note}`;
    }
    this.messages.push({ role: "tool", tool_call_id: id, content: text });
    this.carried.push(...others);
  }
}

function read(conversation: Conversation, value: unknown, param: string): void {
  const item = requireRecord(value, param);
  const type = item["type"] ?? (item["role"] !== undefined ? "message" : undefined);
  const isOutput = type === "function_call_output" || type === "custom_tool_call_output";
  if (!isOutput) conversation.flush();
  switch (type) {
    case "message":
      return conversation.message(item, param);
    case "function_call":
      return conversation.call(item, param, false);
    case "custom_tool_call":
      return conversation.call(item, param, true);
    case "function_call_output":
    case "custom_tool_call_output":
      return conversation.output(item, param);
    case "reasoning":
      return;
    case "item_reference":
      throw new InvalidRequestError(
        `${param}: item_reference cannot be resolved (llmux keeps no items); send the items themselves.`,
        { param },
      );
    default:
      if (typeof type === "string" && builtInItems.has(type)) {
        conversation.droppedItems.push(type);
        return;
      }
      throw new InvalidRequestError(`${param}: unknown input item type ${JSON.stringify(type)}.`, { param });
  }
}

/**
 * Responses input items → chat messages, in order:
 * - `message` items (also without `type`): `system` / `developer` → system messages, `user` →
 *   user messages (parts: see {@link chatPart}), `assistant` (`output_text`) → assistant text;
 * - `function_call` → an assistant tool call (`id` = `call_id`); `custom_tool_call` → a tool call
 *   whose arguments wrap the raw input as `{"input": "…"}`; calls and assistant text in a row merge
 *   into one assistant message;
 * - `function_call_output` / `custom_tool_call_output` → tool messages (output text; images and
 *   files move to a user message right after the tool messages);
 * - `reasoning` items are dropped (another model's reasoning, often encrypted, cannot be replayed);
 *   records of built-in tools (`web_search_call`, `computer_call`, `local_shell_call`, …) are dropped
 *   and listed; `item_reference` and unknown types are refused.
 */
export function toChatMessages(items: unknown, param = "input"): MappedInput {
  const conversation = new Conversation();
  if (typeof items === "string") {
    return { messages: [{ role: "user", content: items }], droppedItems: [] };
  }
  if (!Array.isArray(items)) {
    throw new InvalidRequestError(`${param} must be a string or an array of items, not ${describe(items)}.`, {
      param,
    });
  }
  items.forEach((item: unknown, index) => read(conversation, item, `${param}[${index}]`));
  conversation.flush();
  return { messages: conversation.messages, droppedItems: conversation.droppedItems };
}
