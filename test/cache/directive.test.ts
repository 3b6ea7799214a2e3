import { describe, expect, it } from "vitest";
import { cacheDirective, type RequestHeaders } from "../../src/core/cache/index.js";

describe("cacheDirective", () => {
  it.each<[string, RequestHeaders, { read: boolean; write: boolean; maxAgeMs: number | null }]>([
    ["no headers", {}, { read: true, write: true, maxAgeMs: null }],
    [
      "unrelated headers",
      { "cache-control": "private", accept: "*/*" },
      { read: true, write: true, maxAgeMs: null },
    ],
    ["x-llmux-cache: bypass", { "x-llmux-cache": "bypass" }, { read: false, write: false, maxAgeMs: null }],
    [
      "x-llmux-cache: OFF (any case)",
      { "X-LLMUX-Cache": "OFF" },
      { read: false, write: false, maxAgeMs: null },
    ],
    ["x-llmux-cache: refresh", { "x-llmux-cache": "refresh" }, { read: false, write: true, maxAgeMs: null }],
    [
      "cache-control: no-cache",
      { "cache-control": "no-cache" },
      { read: false, write: true, maxAgeMs: null },
    ],
    [
      "cache-control: no-store",
      { "cache-control": "no-store" },
      { read: false, write: false, maxAgeMs: null },
    ],
    ["pragma: no-cache", { pragma: "no-cache" }, { read: false, write: true, maxAgeMs: null }],
    ["max-age=30", { "cache-control": "max-age=30" }, { read: true, write: true, maxAgeMs: 30_000 }],
    ["max-age=0", { "cache-control": "max-age=0" }, { read: false, write: true, maxAgeMs: 0 }],
    [
      "a list, the strictest wins",
      { "cache-control": "max-age=60, no-store" },
      { read: false, write: false, maxAgeMs: 60_000 },
    ],
    [
      "repeated header values",
      { "cache-control": ["max-age=60", "max-age=5"] },
      { read: true, write: true, maxAgeMs: 5_000 },
    ],
    [
      "a bad max-age is ignored",
      { "cache-control": "max-age=soon" },
      { read: true, write: true, maxAgeMs: null },
    ],
  ])("%s", (_name, headers, expected) => {
    expect(cacheDirective(headers)).toMatchObject(expected);
  });

  it("says which header decided", () => {
    expect(cacheDirective({}).reason).toBeNull();
    expect(cacheDirective({ "x-llmux-cache": "bypass", "cache-control": "no-cache" }).reason).toBe(
      "x-llmux-cache: bypass, cache-control: no-cache",
    );
  });
});
