import { describe, expect, it } from "vitest";
import { RequestLineWriter } from "../../src/observability/request-line.js";
import { SecretRedactor } from "../../src/errors/index.js";

describe("RequestLineWriter", () => {
  it("writes one pino-format JSON line per call: level, time, pid, hostname, fields, msg", () => {
    const lines: string[] = [];
    const writer = new RequestLineWriter({ write: (line) => lines.push(line) }, null, {
      pid: 4242,
      hostname: 'box "one"',
    });
    const before = Date.now();
    writer.write({ requestId: "req_1", status: 200, model: "fast", upstreamMs: 12.5, stream: false });
    writer.write({ requestId: "req_2", status: 429 }, "request refused");
    expect(lines).toHaveLength(2);
    for (const line of lines) expect(line.endsWith("}\n")).toBe(true);
    const first = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(first).toEqual({
      level: 30,
      time: first.time,
      pid: 4242,
      hostname: 'box "one"',
      requestId: "req_1",
      status: 200,
      model: "fast",
      upstreamMs: 12.5,
      stream: false,
      msg: "request",
    });
    expect(first.time).toBeGreaterThanOrEqual(before);
    expect(first.time).toBeLessThanOrEqual(Date.now());
    expect(Object.keys(first).slice(0, 4)).toEqual(["level", "time", "pid", "hostname"]);
    expect((JSON.parse(lines[1]!) as { msg: string }).msg).toBe("request refused");
  });

  it("masks configured secrets by value anywhere in the line", () => {
    const lines: string[] = [];
    const secret = "plain-looking-secret-9f8e7d";
    const writer = new RequestLineWriter({ write: (line) => lines.push(line) }, new SecretRedactor([secret]));
    writer.write({ requestId: "r", error: `upstream said: bad key ${secret}`, key: secret });
    expect(lines[0]).not.toContain(secret);
    const parsed = JSON.parse(lines[0]!) as { error: string; key: string };
    expect(parsed.error).toMatch(/^upstream said: bad key /);
    expect(parsed.key).not.toBe(secret);
  });

  it("escapes field values so a hostile value cannot break the line", () => {
    const lines: string[] = [];
    const writer = new RequestLineWriter({ write: (line) => lines.push(line) });
    writer.write({ model: 'x","level":60,"y\n{"z":1}' });
    expect(lines[0]!.split("\n")).toHaveLength(2);
    const parsed = JSON.parse(lines[0]!) as { level: number; model: string };
    expect(parsed.level).toBe(30);
    expect(parsed.model).toBe('x","level":60,"y\n{"z":1}');
  });
});
