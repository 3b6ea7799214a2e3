/** Reads, fragment by fragment, the string value of `{"input": "…"}` (a custom tool call's wrapped arguments). */
export interface WrappedInputDecoder {
  /** Feeds a fragment of the arguments JSON; returns the newly decoded characters of the input. */
  push(fragment: string): string;
  /** True once the text started as `{"input":"` (whitespace allowed), so the decoded text is the input. */
  readonly matched: boolean;
  /** Everything decoded so far. */
  readonly decoded: string;
}

const prefix = ["{", '"input"', ":", '"'];
const escapes: Readonly<Record<string, string>> = {
  '"': '"',
  "\\": "\\",
  "/": "/",
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
};

function isSpace(char: string): boolean {
  return char === " " || char === "\n" || char === "\r" || char === "\t";
}

/**
 * Creates a decoder for a custom tool call's arguments as they stream, so the raw input can stream
 * too. It follows `{ "input" : "` and then decodes the JSON string (escapes, `\uXXXX`, a surrogate
 * pair split across fragments held back until complete) up to its closing quote. Text that does
 * not start that way is not decoded (`matched` stays false).
 */
export function createWrappedInputDecoder(): WrappedInputDecoder {
  let token = 0;
  let position = 0;
  let state: "prefix" | "string" | "escape" | "unicode" | "done" | "other" = "prefix";
  let hex = "";
  let held = "";
  let decoded = "";

  function prefixChar(char: string): void {
    const expected = prefix[token] ?? "";
    if (position === 0 && isSpace(char)) return;
    if (char !== expected[position]) {
      state = "other";
      return;
    }
    position += 1;
    if (position < expected.length) return;
    token += 1;
    position = 0;
    if (token === prefix.length) state = "string";
  }

  function emit(text: string): string {
    const all = held + text;
    const last = all.charCodeAt(all.length - 1);
    held = last >= 0xd800 && last <= 0xdbff ? all.slice(-1) : "";
    return held === "" ? all : all.slice(0, -1);
  }

  function stringChar(char: string): string {
    if (state === "escape") {
      if (char === "u") {
        state = "unicode";
        hex = "";
        return "";
      }
      state = "string";
      return emit(escapes[char] ?? char);
    }
    if (state === "unicode") {
      hex += char;
      if (hex.length < 4) return "";
      state = "string";
      return emit(String.fromCharCode(Number.parseInt(hex, 16)));
    }
    if (char === "\\") {
      state = "escape";
      return "";
    }
    if (char === '"') {
      state = "done";
      const rest = held;
      held = "";
      return rest;
    }
    return emit(char);
  }

  return {
    push(fragment) {
      let out = "";
      for (const char of fragment) {
        if (state === "prefix") prefixChar(char);
        else if (state === "string" || state === "escape" || state === "unicode") out += stringChar(char);
        else break;
      }
      decoded += out;
      return out;
    },
    get matched() {
      return state !== "prefix" && state !== "other";
    },
    get decoded() {
      return decoded;
    },
  };
}

/**
 * A custom tool call's raw input from the chat tool call's arguments: the `input` string of
 * `{"input": "…"}`; a bare JSON string; for arguments cut short (`{"input": "*** Begin Pa`), the
 * part that did arrive; anything else (the model wrapped it another way) → the arguments as they are.
 */
export function unwrapCustomInput(args: string): string {
  try {
    const parsed: unknown = JSON.parse(args);
    if (typeof parsed === "string") return parsed;
    if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)) {
      const input = (parsed as Record<string, unknown>)["input"];
      if (typeof input === "string") return input;
    }
    return args;
  } catch {
    const decoder = createWrappedInputDecoder();
    decoder.push(args);
    return decoder.matched ? decoder.decoded : args;
  }
}
