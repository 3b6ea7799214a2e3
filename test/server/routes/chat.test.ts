import { EventEmitter } from "node:events";
import type { ServerResponse } from "node:http";
import type { FastifyRequest } from "fastify";
import { describe, expect, it } from "vitest";
import { clientGone, logFields } from "../../../src/server/routes/chat.js";
import type { RequestNote } from "../../../src/server/request-log.js";

function response(): ServerResponse & EventEmitter & { writableFinished: boolean } {
  return Object.assign(new EventEmitter(), { writableFinished: false }) as unknown as ServerResponse &
    EventEmitter & { writableFinished: boolean };
}

function note(overrides: Partial<RequestNote> = {}): RequestNote {
  return {
    requestId: "req_1",
    model: "m",
    deployment: "p/m",
    attempts: 1,
    stream: false,
    upstreamMs: 1.23456,
    overheadMs: 0.5,
    errorCode: null,
    costUsd: null,
    recovery: null,
    hedge: null,
    ...overrides,
  };
}

const request = {
  method: "POST",
  url: "/v1/chat/completions?x",
  routeOptions: { url: "/v1/chat/completions" },
};

describe("clientGone", () => {
  it("cancels when the response closes before it finished", () => {
    const raw = response();
    const cancellation = clientGone(raw);
    expect(clientGone(raw)).toBe(cancellation);
    raw.emit("close");
    expect(cancellation.aborted).toBe(true);
  });

  it("does not cancel when the response closes after it finished", () => {
    const raw = response();
    const cancellation = clientGone(raw);
    raw.writableFinished = true;
    raw.emit("close");
    expect(cancellation.aborted).toBe(false);
  });
});

describe("logFields", () => {
  it("rounds the timings and leaves out cost, recovery and hedge when there are none", () => {
    const fields = logFields(request as unknown as FastifyRequest, note(), 200, 2.0004999);
    expect(JSON.stringify(fields)).toBe(
      '{"requestId":"req_1","method":"POST","route":"/v1/chat/completions","model":"m","deployment":"p/m","attempts":1,"status":200,"stream":false,"latencyMs":2,"upstreamMs":1.235,"overheadMs":0.5,"errorCode":null}',
    );
  });

  it("appends cost, recovery and hedge in that order when present", () => {
    const fields = logFields(
      request as unknown as FastifyRequest,
      note({ costUsd: 0.01, recovery: "spliced", hedge: "won", overheadMs: null }),
      200,
      1,
    );
    expect(Object.keys(fields).slice(-4)).toEqual(["errorCode", "costUsd", "recovery", "hedge"]);
    expect(fields["overheadMs"]).toBeNull();
  });
});
