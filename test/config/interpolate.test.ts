import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/index.js";
import { interpolateString, interpolateTree } from "../../src/config/interpolate.js";

describe("interpolateString", () => {
  const env = { TOKEN: "t0k3n", EMPTY: "", HOST: "example.com" };

  it.each([
    ["${TOKEN}", "t0k3n", []],
    ["Bearer ${TOKEN}", "Bearer t0k3n", []],
    ["https://${HOST}/v1?x=${ TOKEN }", "https://example.com/v1?x=t0k3n", []],
    ["${PORT:-4000}", "4000", []],
    ["${EMPTY:-fallback}", "fallback", []],
    ["${TOKEN:-unused}", "t0k3n", []],
    ["${MISSING:-}", "", []],
    ["${MISSING}", "", ["MISSING"]],
    ["${EMPTY}", "", ["EMPTY"]],
    ["a-${MISSING}-${OTHER}-${MISSING}", "a---", ["MISSING", "OTHER"]],
    ["$${TOKEN} stays", "${TOKEN} stays", []],
    ["${not a ref}", "${not a ref}", []],
    ["price: $5", "price: $5", []],
  ])("%s → %s", (text, value, unset) => {
    expect(interpolateString(text, env)).toEqual({ value, unset });
  });
});

describe("interpolateTree", () => {
  it("interpolates every string value, drops map values left empty by unset variables, keeps list slots", () => {
    const tree = { a: "${A}", b: "${MISSING}", c: ["${MISSING}", "x"], d: 5, e: { f: "${A:-no}" } };
    const { value, unset } = interpolateTree(tree, { A: "yes" });
    expect(value).toEqual({ a: "yes", c: ["", "x"], d: 5, e: { f: "yes" } });
    expect([...unset]).toEqual([
      ["b", ["MISSING"]],
      ["c[0]", ["MISSING"]],
    ]);
  });
});

describe("interpolation in a config file", () => {
  const text = `server:
  host: \${HOST:-127.0.0.1}
  port: \${PORT:-4000}
  auth:
    keys: "\${GATEWAY_KEYS:-}"
logging:
  format: \${LOG_FORMAT:-json}
providers:
  - id: proxy
    type: openai-compatible
    base_url: https://\${PROXY_HOST}/v1
    api_key: \${PROXY_KEY}
    headers:
      Authorization: Bearer \${PROXY_TOKEN}
      X-Missing: \${NOT_THERE}
    models: [m]
`;

  it("uses defaults when variables are unset", () => {
    const { config } = parseConfig(text, { file: "c.yaml", env: { PROXY_HOST: "proxy.local" } });
    expect(config.server).toMatchObject({ host: "127.0.0.1", port: 4000, auth: { keys: [] } });
    expect(config.logging.format).toBe("json");
    expect(config.providers[0]).toMatchObject({
      baseUrl: "https://proxy.local/v1",
      apiKey: "",
      headers: { Authorization: "Bearer " },
    });
  });

  it("uses the variables when set (numbers, booleans and lists from strings)", () => {
    const env = {
      HOST: "0.0.0.0",
      PORT: "8080",
      GATEWAY_KEYS: "k1, k2",
      LOG_FORMAT: "pretty",
      PROXY_HOST: "proxy.local",
      PROXY_KEY: "pk",
      PROXY_TOKEN: "tok",
    };
    const { config, warnings } = parseConfig(text, { file: "c.yaml", env });
    expect(warnings).toEqual([]);
    expect(config.server).toMatchObject({ host: "0.0.0.0", port: 8080, auth: { keys: ["k1", "k2"] } });
    expect(config.logging.format).toBe("pretty");
    expect(config.providers[0]).toMatchObject({ apiKey: "pk", headers: { Authorization: "Bearer tok" } });
  });

  it("keeps line numbers right after interpolation", () => {
    const { warnings } = parseConfig(text, { file: "c.yaml", env: { PROXY_HOST: "h" } });
    expect(warnings).toEqual([
      "c.yaml:12:14 providers[0].api_key: is empty: sent without a key (environment variable PROXY_KEY is not set)",
    ]);
  });
});

describe("environment settings", () => {
  it("adds LLMUX_API_KEYS to the file's gateway keys and reads REDIS_URL", () => {
    const { config } = parseConfig("server:\n  auth:\n    keys: [file-key]\n", {
      file: "c.yaml",
      env: { LLMUX_API_KEYS: "env-1, env-2,", REDIS_URL: "redis://cache:6379/0" },
    });
    expect(config.server.auth.keys).toEqual(["file-key", "env-1", "env-2"]);
    expect(config.state).toEqual({ redis: { url: "redis://cache:6379/0", prefix: "llmux:" } });
  });

  it("prefers state.redis.url and its prefix", () => {
    const { config } = parseConfig('state:\n  redis:\n    url: rediss://r:6380\n    prefix: "gw1:"\n', {
      file: "c.yaml",
      env: { REDIS_URL: "redis://other" },
    });
    expect(config.state).toEqual({ redis: { url: "rediss://r:6380", prefix: "gw1:" } });
  });

  it("rejects a Redis URL of another scheme", () => {
    expect(() => parseConfig("state:\n  redis:\n    url: http://r\n", { file: "c.yaml", env: {} })).toThrow(
      "c.yaml:3:10 state.redis.url: must be a redis://, rediss://, redis-sentinel:// or redis-cluster:// URL",
    );
  });

  it("warns about an empty gateway key from an unset variable", () => {
    const { config, warnings } = parseConfig('server:\n  auth:\n    keys: ["${GATEWAY_KEY}"]\n', {
      file: "c.yaml",
      env: {},
    });
    expect(config.server.auth.keys).toEqual([]);
    expect(warnings).toEqual([
      "c.yaml:3:12 server.auth.keys[0]: empty key ignored (environment variable GATEWAY_KEY is not set)",
      "c.yaml providers: no usable provider instances: every request will fail",
    ]);
  });
});
