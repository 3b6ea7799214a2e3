import { describe, expect, it } from "vitest";
import { describeTarget, parseRedisUrl } from "../../src/state/index.js";

describe("parseRedisUrl", () => {
  it.each([
    ["redis://localhost", { kind: "standalone", host: "localhost", port: 6379, db: 0, tls: false }],
    ["redis://127.0.0.1:6380/2", { kind: "standalone", host: "127.0.0.1", port: 6380, db: 2, tls: false }],
    [
      "rediss://user:p%40ss@cache.example.com:6390",
      {
        kind: "standalone",
        host: "cache.example.com",
        port: 6390,
        db: 0,
        tls: true,
        username: "user",
        password: "p@ss",
      },
    ],
    [
      "redis://:secret@h:1",
      { kind: "standalone", host: "h", port: 1, db: 0, tls: false, password: "secret" },
    ],
    [
      "redis://secret@h",
      { kind: "standalone", host: "h", port: 6379, db: 0, tls: false, password: "secret" },
    ],
    ["redis://[::1]:7000", { kind: "standalone", host: "::1", port: 7000, db: 0, tls: false }],
    [
      "redis-sentinel://pw@s1:26379,s2:26380,s3/mymaster",
      {
        kind: "sentinel",
        sentinels: [
          { host: "s1", port: 26379 },
          { host: "s2", port: 26380 },
          { host: "s3", port: 26379 },
        ],
        name: "mymaster",
        db: 0,
        tls: false,
        password: "pw",
      },
    ],
    [
      "rediss-sentinel://s1:5000/main/3",
      { kind: "sentinel", sentinels: [{ host: "s1", port: 5000 }], name: "main", db: 3, tls: true },
    ],
    [
      "redis-cluster://a:7000,b:7001,c",
      {
        kind: "cluster",
        nodes: [
          { host: "a", port: 7000 },
          { host: "b", port: 7001 },
          { host: "c", port: 6379 },
        ],
        tls: false,
      },
    ],
    [
      "rediss-cluster://u:p@a:7000/",
      { kind: "cluster", nodes: [{ host: "a", port: 7000 }], tls: true, username: "u", password: "p" },
    ],
  ])("%s", (url, expected) => {
    expect(parseRedisUrl(url)).toEqual(expected);
  });

  it.each([
    ["http://localhost:6379", /expected redis:\/\//],
    ["redis://", /no host|bad host/],
    ["redis://a:1,b:2", /one host expected/],
    ["redis://h:99999", /bad port/],
    ["redis://h/x", /bad database/],
    ["redis://h/1/2", /only hold the database/],
    ["redis-sentinel://s1:26379", /master name is missing/],
    ["redis-cluster://a:1/0", /no database path/],
    ["redis://h:6379?family=6", /expected redis:\/\//],
  ])("rejects %s", (url, message) => {
    expect(() => parseRedisUrl(url)).toThrow(message);
  });

  it("never echoes credentials in errors", () => {
    expect(() => parseRedisUrl("redis://user:hunter2@a:1,b:2")).toThrow(
      expect.objectContaining({ code: "config_invalid" }),
    );
    try {
      parseRedisUrl("redis://user:hunter2@a:1,b:2");
    } catch (error) {
      expect(String(error)).not.toContain("hunter2");
    }
  });

  it("describes a target without credentials", () => {
    expect(describeTarget(parseRedisUrl("rediss://u:secret@h:1/2"))).toBe("rediss://h:1/2");
    expect(describeTarget(parseRedisUrl("redis-sentinel://pw@s1,s2:5/m"))).toBe(
      "redis-sentinel://s1:26379,s2:5/m",
    );
    expect(describeTarget(parseRedisUrl("redis-cluster://[::1]:7000,b"))).toBe(
      "redis-cluster://[::1]:7000,b:6379",
    );
  });
});
