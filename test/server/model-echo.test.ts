import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSimulator, type Simulator } from "../../src/sim/index.js";
import { gatewayFor, provider, spec } from "../helpers/gateway.js";

const mib = 1024 * 1024;
let sim: Simulator;
let gateway: ReturnType<typeof gatewayFor>;

beforeAll(async () => {
  sim = await startSimulator();
  const groups = Array.from({ length: 50 }, (_, i) => ({
    name: `group-${String(i).padStart(2, "0")}`,
    strategy: "priority" as const,
    automatic: false,
    deployments: [spec("p", "gpt-4.1")],
  }));
  gateway = gatewayFor([provider("p", sim.url, "sk-test-key")], groups, {
    server: { bodyLimitBytes: 8 * mib },
  });
});
afterAll(async () => {
  await gateway.close();
  await sim.close();
});

describe("what an unknown model echoes", () => {
  it("caps a 5 MiB model name in the 404 body and in the log line", async () => {
    const model = `${"m".repeat(5 * mib - 1)}!`;
    gateway.logger.lines.length = 0;
    const response = await gateway.app.inject({
      method: "POST",
      url: "/v1/chat/completions",
      payload: { model, messages: [{ role: "user", content: "hi" }] },
    });
    expect(response.statusCode).toBe(404);
    const error = response.json().error as { message: string; code: string; param: string };
    expect(error).toMatchObject({ type: "invalid_request_error", code: "model_not_found", param: "model" });
    expect(error.message).toContain(`'${"m".repeat(256)}…(${5 * mib - 256} more characters)'`);
    expect(error.message).not.toContain("!");
    expect(response.body.length).toBeLessThan(2000);
    const line = gateway.logger.lines.find((l) => l.message === "request");
    expect(line?.object).toMatchObject({ status: 404, errorCode: "model_not_found" });
    expect(line?.object["model"]).toBe(`${"m".repeat(256)}…(${5 * mib - 256} more characters)`);
    expect(JSON.stringify(gateway.logger.lines).length).toBeLessThan(5000);
  });

  it("lists at most 20 known models and says how many more there are", async () => {
    const response = await gateway.app.inject({
      method: "POST",
      url: "/v1/chat/completions",
      payload: { model: "nope", messages: [{ role: "user", content: "hi" }] },
    });
    const message = response.json().error.message as string;
    expect(message).toContain("The model 'nope' does not exist. Known models: group-00, group-01");
    expect(message).toContain("group-19 (and 30 more; GET /v1/models lists them all).");
    expect(message).not.toContain("group-20");
  });

  it("caps a long id in GET /v1/models/:id and a long unknown path", async () => {
    const id = "x".repeat(99);
    const model = await gateway.app.inject({ url: `/v1/models/${id}` });
    expect(model.statusCode).toBe(404);
    expect(model.json().error.message).toBe(`The model '${id}' does not exist.`);
    const long = await gateway.app.inject({ url: `/v1/models/${"x".repeat(5000)}` });
    expect(long.statusCode).toBe(414);
    expect(long.json()).toEqual({
      error: {
        message: expect.stringContaining("longer than the gateway accepts"),
        type: "invalid_request_error",
        param: null,
        code: null,
      },
    });
    expect(long.body).not.toContain("xxxxxxxxxx");
    const bad = await gateway.app.inject({ url: "/v1/models/%zz" });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toMatchObject({
      type: "invalid_request_error",
      message: expect.stringContaining("Malformed URL"),
    });
    const path = await gateway.app.inject({ url: `/${"y".repeat(5000)}` });
    expect(path.statusCode).toBe(404);
    expect(path.json().error).toMatchObject({ code: "unknown_endpoint" });
    expect(path.body.length).toBeLessThan(1000);
  });
});
