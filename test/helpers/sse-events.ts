/** One server-sent event: its `event:` name (null when absent) and its `data:` payload, parsed. */
export interface ParsedEvent {
  event: string | null;
  data: Record<string, unknown>;
}

/**
 * Splits SSE text (events separated by a blank line) into events and parses each `data:` payload as
 * JSON. Throws on an event without data or with data that is not a JSON object, so a malformed
 * writer fails the test.
 */
export function parseSse(text: string): ParsedEvent[] {
  if (text === "") return [];
  if (!text.endsWith("\n\n"))
    throw new Error(`SSE text must end with a blank line: ${JSON.stringify(text.slice(-40))}`);
  return text
    .slice(0, -2)
    .split("\n\n")
    .map((block) => {
      let event: string | null = null;
      const data: string[] = [];
      for (const line of block.split("\n")) {
        if (line.startsWith("event: ")) event = line.slice(7);
        else if (line.startsWith("data: ")) data.push(line.slice(6));
        else throw new Error(`Unexpected SSE line: ${JSON.stringify(line)}`);
      }
      if (data.length === 0) throw new Error(`SSE event without data: ${JSON.stringify(block)}`);
      const parsed: unknown = JSON.parse(data.join("\n"));
      if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
        throw new Error(`SSE data is not a JSON object: ${data.join("\n")}`);
      }
      return { event, data: parsed as Record<string, unknown> };
    });
}
