import { closeSync, mkdtempSync, openSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { BufferedLineWriter } from "../../src/observability/buffered-line-writer.js";

const opened: Array<{ fd: number; writer: BufferedLineWriter }> = [];

function setup(bufferBytes = 256, flushMs = 10_000) {
  const file = join(mkdtempSync(join(tmpdir(), "llmux-lines-")), "out.log");
  const fd = openSync(file, "w");
  const writer = new BufferedLineWriter({ fd, bufferBytes, flushMs });
  opened.push({ fd, writer });
  return { writer, read: () => readFileSync(file, "utf8") };
}

function flushed(writer: BufferedLineWriter): Promise<void> {
  return new Promise((resolve) => writer.flush(() => resolve()));
}

afterEach(() => {
  for (const { fd, writer } of opened.splice(0)) {
    writer.end();
    closeSync(fd);
  }
});

describe("BufferedLineWriter", () => {
  it("holds lines until flushed, then writes them in order", async () => {
    const { writer, read } = setup();
    writer.write("one\n");
    writer.write("two\n");
    expect(read()).toBe("");
    expect(writer.heldBytes).toBe(8);
    await flushed(writer);
    expect(read()).toBe("one\ntwo\n");
    expect(writer.heldBytes).toBe(0);
  });

  it("writes a full buffer when the next line does not fit, and keeps the order across buffers", async () => {
    const { writer, read } = setup(64);
    const lines = Array.from({ length: 50 }, (_, index) => `{"n":${index},"text":"héllo ✓"}\n`);
    for (const line of lines) writer.write(line);
    await flushed(writer);
    expect(read()).toBe(lines.join(""));
  });

  it("writes a line longer than the buffer whole, after what came before it", async () => {
    const { writer, read } = setup(32);
    writer.write("short\n");
    const long = `${"x".repeat(100)}\n`;
    writer.write(long);
    writer.write("after\n");
    await flushed(writer);
    expect(read()).toBe(`short\n${long}after\n`);
  });

  it("writes gathered lines on its own after flushMs", async () => {
    const { writer, read } = setup(1024, 20);
    writer.write("quiet\n");
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(read()).toBe("quiet\n");
  });

  it("writes everything synchronously with flushSync (at exit)", () => {
    const { writer, read } = setup(1024);
    writer.write("a\n");
    writer.write("b\n");
    writer.flushSync();
    expect(read()).toBe("a\nb\n");
  });

  it("calls flush's callback at once when nothing is held", () => {
    const { writer } = setup();
    let called = false;
    writer.flush(() => (called = true));
    expect(called).toBe(true);
  });

  it("drops lines after end()", () => {
    const { writer, read } = setup();
    writer.write("kept\n");
    writer.end();
    writer.write("dropped\n");
    writer.flushSync();
    expect(read()).toBe("kept\n");
  });
});
