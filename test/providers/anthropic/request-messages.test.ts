import { describe, expect, it } from "vitest";
import {
  hello,
  model,
  rejection,
  timeTool,
  toBody,
  weatherDefinition,
  weatherTool,
} from "./request-helpers.js";

describe("toAnthropicRequest: messages", () => {
  it("moves system and developer messages, wherever they are, into system", () => {
    const body = toBody({
      messages: [
        { role: "system", content: "You are terse." },
        { role: "user", content: "Hi" },
        { role: "assistant", content: "Hello." },
        { role: "developer", content: [{ type: "text", text: "Answer in French." }] },
        { role: "user", content: "How are you?" },
      ],
    });
    expect(body).toEqual({
      model,
      max_tokens: 64000,
      system: "You are terse.\n\nAnswer in French.",
      messages: [
        { role: "user", content: "Hi" },
        { role: "assistant", content: "Hello." },
        { role: "user", content: "How are you?" },
      ],
    });
  });

  it("sends system text blocks when a part has cache_control", () => {
    const body = toBody({
      messages: [
        {
          role: "system",
          content: [{ type: "text", text: "A long shared prompt.", cache_control: { type: "ephemeral" } }],
        },
        { role: "developer", content: "Be brief." },
        ...hello,
      ],
    });
    expect(body).toEqual({
      model,
      max_tokens: 64000,
      system: [
        { type: "text", text: "A long shared prompt.", cache_control: { type: "ephemeral" } },
        { type: "text", text: "Be brief." },
      ],
      messages: [{ role: "user", content: "Hello" }],
    });
  });

  it("merges consecutive same-role messages and keeps a leading assistant turn as it is", () => {
    const body = toBody({
      messages: [
        { role: "assistant", content: "Earlier answer." },
        {
          role: "assistant",
          content: [
            { type: "text", text: "More." },
            { type: "refusal", refusal: "No." },
          ],
        },
        { role: "user", content: "Go on" },
        { role: "user", content: [{ type: "text", text: "please" }] },
        { role: "assistant", content: "", refusal: "I can't." },
        { role: "user", content: "" },
      ],
    });
    expect(body).toEqual({
      model,
      max_tokens: 64000,
      messages: [
        {
          role: "assistant",
          content: [
            { type: "text", text: "Earlier answer." },
            { type: "text", text: "More." },
          ],
        },
        {
          role: "user",
          content: [
            { type: "text", text: "Go on" },
            { type: "text", text: "please" },
          ],
        },
      ],
    });
  });

  it("maps data-URL and https images", () => {
    const body = toBody({
      messages: [
        {
          role: "user",
          content: [
            { type: "text", text: "What is in these images?" },
            {
              type: "image_url",
              image_url: { url: "data:image/png;base64,iVBORw0KGgoAAAANSUhEUg==", detail: "high" },
            },
            { type: "image_url", image_url: { url: "data:image/jpg;base64,/9j/4AAQSkZJRg==" } },
            { type: "image_url", image_url: { url: "https://upload.example.com/cat.webp" } },
          ],
        },
      ],
    });
    expect(body["messages"]).toEqual([
      {
        role: "user",
        content: [
          { type: "text", text: "What is in these images?" },
          {
            type: "image",
            source: { type: "base64", media_type: "image/png", data: "iVBORw0KGgoAAAANSUhEUg==" },
          },
          { type: "image", source: { type: "base64", media_type: "image/jpeg", data: "/9j/4AAQSkZJRg==" } },
          { type: "image", source: { type: "url", url: "https://upload.example.com/cat.webp" } },
        ],
      },
    ]);
  });

  it.each([
    [
      { type: "image_url", image_url: { url: "data:image/svg+xml;base64,PHN2Zz4=" } },
      "messages[0].content[0].image_url",
    ],
    [
      { type: "image_url", image_url: { url: "data:image/png,rawbytes" } },
      "messages[0].content[0].image_url",
    ],
    [
      { type: "image_url", image_url: { url: "ftp://example.com/a.png" } },
      "messages[0].content[0].image_url",
    ],
    [{ type: "file", file: { file_id: "file-abc" } }, "messages[0].content[0]"],
    [{ type: "input_audio", input_audio: { data: "UklGR", format: "wav" } }, "messages[0].content[0]"],
  ])("rejects the user part %j (param %s)", (part, param) => {
    const error = rejection({ messages: [{ role: "user", content: [part] }] });
    expect(error.param).toBe(param);
    expect(error.status).toBe(400);
  });

  it("keeps cache_control on user text parts", () => {
    const body = toBody({
      messages: [
        {
          role: "user",
          content: [
            { type: "text", text: "<a long document>", cache_control: { type: "ephemeral", ttl: "1h" } },
            { type: "text", text: "Summarise it." },
          ],
        },
      ],
    });
    expect(body["messages"]).toEqual([
      {
        role: "user",
        content: [
          { type: "text", text: "<a long document>", cache_control: { type: "ephemeral", ttl: "1h" } },
          { type: "text", text: "Summarise it." },
        ],
      },
    ]);
  });

  it("turns tool calls into tool_use and consecutive tool results plus the next user message into ONE user turn", () => {
    const body = toBody({
      messages: [
        { role: "user", content: "Weather in SF and NYC?" },
        {
          role: "assistant",
          content: null,
          tool_calls: [
            {
              id: "call_Sf1",
              type: "function",
              function: { name: "get_weather", arguments: '{"location":"San Francisco, CA"}' },
            },
            {
              id: "call_Ny2",
              type: "function",
              function: { name: "get_weather", arguments: '{"location":"New York, NY"}' },
            },
          ],
        },
        { role: "tool", tool_call_id: "call_Sf1", content: "18°C, fog" },
        { role: "tool", tool_call_id: "call_Ny2", content: [{ type: "text", text: "22°C, sunny" }] },
        { role: "user", content: "Thanks! And tomorrow?" },
      ],
      tools: [weatherTool],
    });
    expect(body).toEqual({
      model,
      max_tokens: 64000,
      messages: [
        { role: "user", content: "Weather in SF and NYC?" },
        {
          role: "assistant",
          content: [
            {
              type: "tool_use",
              id: "call_Sf1",
              name: "get_weather",
              input: { location: "San Francisco, CA" },
            },
            { type: "tool_use", id: "call_Ny2", name: "get_weather", input: { location: "New York, NY" } },
          ],
        },
        {
          role: "user",
          content: [
            { type: "tool_result", tool_use_id: "call_Sf1", content: "18°C, fog" },
            {
              type: "tool_result",
              tool_use_id: "call_Ny2",
              content: [{ type: "text", text: "22°C, sunny" }],
            },
            { type: "text", text: "Thanks! And tomorrow?" },
          ],
        },
      ],
      tools: [weatherDefinition],
    });
  });

  it("puts assistant text before tool_use, sends {} for unparsable arguments, sanitises ids, orders tool results first", () => {
    const body = toBody({
      messages: [
        { role: "user", content: "What time is it in Tokyo?" },
        {
          role: "assistant",
          content: "Let me check.",
          refusal: null,
          tool_calls: [
            {
              id: "functions.get_time:0",
              type: "function",
              function: { name: "get_time", arguments: "{not json" },
            },
          ],
        },
        { role: "user", content: "(waiting)" },
        { role: "tool", tool_call_id: "functions.get_time:0", content: "09:30" },
      ],
      tools: [timeTool],
    });
    expect(body["messages"]).toEqual([
      { role: "user", content: "What time is it in Tokyo?" },
      {
        role: "assistant",
        content: [
          { type: "text", text: "Let me check." },
          { type: "tool_use", id: "functions_get_time_0", name: "get_time", input: {} },
        ],
      },
      {
        role: "user",
        content: [
          { type: "tool_result", tool_use_id: "functions_get_time_0", content: "09:30" },
          { type: "text", text: "(waiting)" },
        ],
      },
    ]);
  });

  it("rejects unknown roles, tool messages without an id, and requests with no turn left", () => {
    expect(rejection({ messages: [{ role: "function", name: "f", content: "x" }] }).param).toBe(
      "messages[0].role",
    );
    expect(rejection({ messages: [...hello, { role: "tool", content: "x" }] }).param).toBe("messages[1]");
    expect(rejection({ messages: [{ role: "system", content: "Only a system prompt." }] }).param).toBe(
      "messages",
    );
  });
});
