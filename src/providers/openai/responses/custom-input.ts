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

type DecoderState = "prefix" | "string" | "escape" | "unicode" | "done" | "other";

class Decoder implements WrappedInputDecoder {
  private state: DecoderState = "prefix";
  private token = 0;
  private position = 0;
  private hex = "";
  private held = "";
  private text = "";

  get matched(): boolean {
    return this.state !== "prefix" && this.state !== "other";
  }

  get decoded(): string {
    return this.text;
  }

  push(fragment: string): string {
    let out = "";
    for (const char of fragment) {
      if (this.state === "prefix") this.prefixChar(char);
      else if (this.state === "done" || this.state === "other") break;
      else out += this.stringChar(char);
    }
    this.text += out;
    return out;
  }

  /** Follows `{`, `"input"`, `:`, `"`, whitespace allowed between them. */
  private prefixChar(char: string): void {
    const expected = prefix[this.token] ?? "";
    if (this.position === 0 && isSpace(char)) return;
    if (char !== expected[this.position]) {
      this.state = "other";
      return;
    }
    this.position += 1;
    if (this.position < expected.length) return;
    this.token += 1;
    this.position = 0;
    if (this.token === prefix.length) this.state = "string";
  }

  /** Decodes one character of the JSON string; returns the text it completes. */
  private stringChar(char: string): string {
    if (this.state === "escape") {
      if (char === "u") {
        this.state = "unicode";
        this.hex = "";
        return "";
      }
      this.state = "string";
      return this.emit(escapes[char] ?? char);
    }
    if (this.state === "unicode") {
      this.hex += char;
      if (this.hex.length < 4) return "";
      this.state = "string";
      return this.emit(String.fromCharCode(Number.parseInt(this.hex, 16)));
    }
    if (char === "\\") {
      this.state = "escape";
      return "";
    }
    if (char === '"') {
      this.state = "done";
      const rest = this.held;
      this.held = "";
      return rest;
    }
    return this.emit(char);
  }

  /** Holds back a high surrogate until its pair arrives, so no delta ends in half a character. */
  private emit(text: string): string {
    const all = this.held + text;
    const last = all.charCodeAt(all.length - 1);
    this.held = last >= 0xd800 && last <= 0xdbff ? all.slice(-1) : "";
    return this.held === "" ? all : all.slice(0, -1);
  }
}

/**
 * Creates a decoder for a custom tool call's arguments as they stream, so the raw input can stream
 * too. It follows `{ "input" : "` and then decodes the JSON string (escapes, `\uXXXX`, a surrogate
 * pair split across fragments held back until complete) up to its closing quote. Text that does
 * not start that way is not decoded (`matched` stays false).
 */
export function createWrappedInputDecoder(): WrappedInputDecoder {
  return new Decoder();
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
